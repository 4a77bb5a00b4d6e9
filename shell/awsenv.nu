# awsenv shell integration for nushell. In env.nu: awsenv init nu | save -f ($nu.default-config-dir | path join awsenv.nu)
# and in config.nu: source awsenv.nu
# `awsenv user|role|sso|export|unset|allow|deny …` change this shell; every other command runs as it is.
def --env --wrapped awsenv [...args: string] {
    let verb = ($args | where {|w| not ($w | str starts-with '-') } | get -o 0 | default '')
    let pass = ($args | any {|w|
        ($w in ['-h' '--help' '--version' '--format' '--shell']) or ($w | str starts-with '--format=') or ($w | str starts-with '--shell=')
    })
    if (not $pass) and ($verb in ['user' 'role' 'sso' 'export' 'unset' 'allow' 'deny']) {
        let output = (^awsenv ...$args --format json)
        let delta = ($output | from json)
        let gone = ($delta | transpose name value | where value == null | get name)
        load-env ($delta | reject ...$gone)
        hide-env --ignore-errors ...$gone
    } else {
        ^awsenv ...$args
    }
}

# Before each prompt: renew the credentials awsenv put in this shell when AWSENV_RENEW_BEFORE seconds (600) or fewer
# are left (never a question at the prompt), and keep AWSENV_PROMPT current (e.g. "prod 42m"). While the credentials
# are fresh this starts no process: nushell's own clock is compared with the times awsenv exported.
def --env __awsenv_apply [delta: record] {
    let gone = ($delta | transpose name value | where value == null | get name)
    load-env ($delta | reject ...$gone)
    hide-env --ignore-errors ...$gone
}
def --env __awsenv_hook [] {
    if $env.PWD != ($env.__AWSENV_PWD? | default '') {  # a new directory: enter or leave a .awsenv file's profile
        $env.__AWSENV_PWD = $env.PWD
        __awsenv_apply (try { ^awsenv chdir --format json | from json | default {} } catch { {} })
    }
    let expires = ($env.AWSENV_EXPIRES_AT? | default '')
    let profile = ($env.AWSENV_PROFILE? | default '')
    if $profile == '' {
        hide-env --ignore-errors AWSENV_PROMPT
        return
    }
    let now = ((date now | into int) // 1_000_000_000)
    let before_raw = ($env.AWSENV_RENEW_BEFORE? | default '')
    let before = (if ($before_raw =~ '^[0-9]+$') { $before_raw | into int } else { 600 })
    let retry_raw = ($env.AWSENV_RENEW_RETRY_AT? | default '')
    let retry = (if ($retry_raw =~ '^[0-9]+$') { $retry_raw | into int } else { 0 })
    let mine = (($env.AWS_PROFILE? | default '') == '') and (($env.AWS_ACCESS_KEY_ID? | default '') != '')
    # No end to renew before: the credential service's variables (--server) renew by themselves.
    if ($expires =~ '^[0-9]+$') {
        if (($expires | into int) - $now <= $before) and ($retry <= $now) and $mine {
            __awsenv_apply (try { ^awsenv renew --format json | from json | default {} } catch { {} })
        }
    }
    let person_raw = ($env.AWSENV_PERSON_NEEDED_AT? | default '')
    mut text = $profile
    if ($person_raw =~ '^[0-9]+$') {
        let left = (($person_raw | into int) - $now)
        if $left <= 0 {
            $text = $"($profile) expired"
        } else {
            let minutes = (($left + 59) // 60)
            $text = if $minutes < 60 {
                $"($profile) ($minutes)m"
            } else if ($minutes mod 60) == 0 {
                $"($profile) ($minutes // 60)h"
            } else {
                $"($profile) ($minutes // 60)h($minutes mod 60 | fill --alignment right --character '0' --width 2)m"
            }
            if $left <= $before { $text = $"($text)!" }
        }
    }
    $env.AWSENV_PROMPT = $text
}
$env.config = ($env.config | upsert hooks.pre_prompt (
    ($env.config | get -o hooks.pre_prompt | default []) | append {|| __awsenv_hook }
))
