# awsenv shell integration for fish: awsenv init fish | source
# `awsenv user|role|sso|export|unset|allow|deny …` change this shell; every other command runs as it is.
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
    if test -z "$pass"; and contains -- "$verb" user role sso export unset allow deny
        command awsenv $argv --shell fish | source
        return $pipestatus[1]
    end
    command awsenv $argv
end

# Before each prompt: renew the credentials awsenv put in this shell when AWSENV_RENEW_BEFORE seconds (600) or fewer
# are left (never a question at the prompt), and keep AWSENV_PROMPT current (e.g. "prod 42m"). fish has no clock of
# its own, so `date +%s` tells the time; awsenv itself runs only in the renewal window.
function __awsenv_hook --on-event fish_prompt
    if test "$PWD" != "$__awsenv_pwd"  # a new directory: enter or leave a .awsenv file's profile
        set -g __awsenv_pwd $PWD
        command awsenv chdir --shell fish </dev/null | source
    end
    if test -z "$AWSENV_PROFILE"
        set -e AWSENV_PROMPT
        return
    end
    set -l expires (string match -r '^[0-9]+$' -- "$AWSENV_EXPIRES_AT")
    set -l now 0
    # The clock is asked only when there is a time to compare: the credential service's variables (--server) have no
    # end here, they renew by themselves.
    if test -n "$expires"; or string match -qr '^[0-9]+$' -- "$AWSENV_PERSON_NEEDED_AT"
        set now (date +%s)
    end
    set -l before 600
    string match -qr '^[0-9]+$' -- "$AWSENV_RENEW_BEFORE"; and set before $AWSENV_RENEW_BEFORE
    set -l retry 0
    string match -qr '^[0-9]+$' -- "$AWSENV_RENEW_RETRY_AT"; and set retry $AWSENV_RENEW_RETRY_AT
    if test -n "$expires"; and test (math $expires - $now) -le $before; and test $retry -le $now
        and test -z "$AWS_PROFILE"; and test -n "$AWS_ACCESS_KEY_ID"
        command awsenv renew --shell fish </dev/null | source
    end
    set -gx AWSENV_PROMPT $AWSENV_PROFILE
    if string match -qr '^[0-9]+$' -- "$AWSENV_PERSON_NEEDED_AT"
        set -l left (math $AWSENV_PERSON_NEEDED_AT - $now)
        if test $left -le 0
            set AWSENV_PROMPT "$AWSENV_PROFILE expired"
        else
            set -l minutes (math --scale 0 "($left + 59) / 60")
            if test $minutes -lt 60
                set AWSENV_PROMPT "$AWSENV_PROFILE "$minutes"m"
            else if test (math $minutes % 60) -eq 0
                set AWSENV_PROMPT "$AWSENV_PROFILE "(math --scale 0 $minutes / 60)"h"
            else
                set AWSENV_PROMPT "$AWSENV_PROFILE "(math --scale 0 $minutes / 60)"h"(printf '%02d' (math $minutes % 60))"m"
            end
            test $left -le $before; and set AWSENV_PROMPT "$AWSENV_PROMPT!"
        end
    end
end
