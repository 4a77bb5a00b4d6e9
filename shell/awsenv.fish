# awsenv shell integration for fish: awsenv init fish | source
# `awsenv user|role|sso|export|unset …` change this shell; every other command runs as it is.
function awsenv --description 'Short-lived AWS credentials from your profiles'
    set -l verb
    set -l pass
    for word in $argv
        switch $word
            case -h --help --version --format '--format=*' --shell '--shell=*'
                set pass 1
            case '-*'
            case '*'
                test -z "$verb"; and set verb $word
        end
    end
    if test -z "$pass"; and contains -- "$verb" user role sso export unset
        command awsenv $argv --shell fish | source
        return $pipestatus[1]
    end
    command awsenv $argv
end
