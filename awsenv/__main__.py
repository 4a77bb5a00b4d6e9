from awsenv.main import main

main()
