# awsenv shell integration for nushell. In env.nu: awsenv init nu | save -f ($nu.default-config-dir | path join awsenv.nu)
# and in config.nu: source awsenv.nu
# `awsenv user|role|sso|export|unset …` change this shell; every other command runs as it is.
def --env --wrapped awsenv [...args: string] {
    let verb = ($args | where {|w| not ($w | str starts-with '-') } | get -o 0 | default '')
    let pass = ($args | any {|w|
        ($w in ['-h' '--help' '--version' '--format' '--shell']) or ($w | str starts-with '--format=') or ($w | str starts-with '--shell=')
    })
    if (not $pass) and ($verb in ['user' 'role' 'sso' 'export' 'unset']) {
        let output = (^awsenv ...$args --format json)
        let delta = ($output | from json)
        let gone = ($delta | transpose name value | where value == null | get name)
        load-env ($delta | reject ...$gone)
        hide-env --ignore-errors ...$gone
    } else {
        ^awsenv ...$args
    }
}
