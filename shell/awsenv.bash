# awsenv shell integration for bash, sh, dash, ksh and mksh: eval "$(awsenv init bash)"
# `awsenv user|role|sso|export|unset|allow|deny …` change this shell; every other command runs as it is.
awsenv() {
    __awsenv_verb=
    __awsenv_pass=
    for __awsenv_word in "$@"; do
        case $__awsenv_word in
            -h|--help|--version|--format|--format=*|--shell|--shell=*) __awsenv_pass=1 ;;
            -*) ;;
            *) if [ -z "$__awsenv_verb" ]; then __awsenv_verb=$__awsenv_word; fi ;;
        esac
    done
    case $__awsenv_pass:$__awsenv_verb in
        :user|:role|:sso|:export|:unset|:allow|:deny)
            unset __awsenv_verb __awsenv_pass __awsenv_word
            __awsenv_code=$(command awsenv "$@" --shell sh) || {
                __awsenv_status=$?
                unset __awsenv_code
                return "$__awsenv_status"
            }
            eval "$__awsenv_code"
            unset __awsenv_code __awsenv_status
            ;;
        *)
            unset __awsenv_verb __awsenv_pass __awsenv_word
            command awsenv "$@"
            ;;
    esac
}

# Before each prompt: renew the credentials awsenv put in this shell when AWSENV_RENEW_BEFORE seconds (600) or fewer
# are left (from the cache, a cached MFA session, an SSO refresh, stored keys: never a question at the prompt), and
# keep AWSENV_PROMPT current (e.g. "prod 42m": the profile and the time until a person is next needed). While the
# credentials are fresh this starts no process: the times awsenv exported are compared with the shell's own clock.
__awsenv_epoch() {
    if [ -n "${EPOCHSECONDS-}" ]; then __awsenv_now=$EPOCHSECONDS                       # bash 5, zsh
    elif [ -n "${EPOCHREALTIME-}" ]; then __awsenv_now=${EPOCHREALTIME%%[.,]*}         # mksh
    elif [ -n "${KSH_VERSION-}" ] && __awsenv_now=$(printf '%(%s)T' now 2>/dev/null); then :  # ksh93 (builtin)
    else __awsenv_now=$(date +%s); fi
}
__awsenv_hook() {
    __awsenv_status=$?
    if [ "${PWD-}" != "${__awsenv_pwd-}" ]; then  # a new directory: enter or leave a .awsenv file's profile
        __awsenv_pwd=$PWD
        if __awsenv_code=$(command awsenv chdir --shell sh </dev/null); then eval "$__awsenv_code"; fi
        unset __awsenv_code
    fi
    if [ -z "${AWSENV_PROFILE-}" ]; then unset AWSENV_PROMPT; return "$__awsenv_status"; fi
    __awsenv_epoch
    case ${AWSENV_RENEW_BEFORE-} in
        ''|*[!0-9]*) __awsenv_before=600 ;;
        *) __awsenv_before=$AWSENV_RENEW_BEFORE ;;
    esac
    case ${AWSENV_RENEW_RETRY_AT-} in
        ''|*[!0-9]*) __awsenv_retry=0 ;;
        *) __awsenv_retry=$AWSENV_RENEW_RETRY_AT ;;
    esac
    case ${AWSENV_EXPIRES_AT-} in
        ''|*[!0-9]*) ;;  # no end to renew before: the credential service's variables (--server) renew by themselves
        *)
            if [ $((AWSENV_EXPIRES_AT - __awsenv_now)) -le "$__awsenv_before" ] \
                    && [ "$__awsenv_retry" -le "$__awsenv_now" ] && [ -z "${AWS_PROFILE-}" ] \
                    && [ -n "${AWS_ACCESS_KEY_ID-}" ]; then
                if __awsenv_code=$(command awsenv renew --shell sh </dev/null); then eval "$__awsenv_code"; fi
                unset __awsenv_code
            fi
            ;;
    esac
    AWSENV_PROMPT=$AWSENV_PROFILE
    case ${AWSENV_PERSON_NEEDED_AT-} in
        ''|*[!0-9]*) ;;
        *)
            __awsenv_left=$((AWSENV_PERSON_NEEDED_AT - __awsenv_now))
            if [ "$__awsenv_left" -le 0 ]; then
                AWSENV_PROMPT="$AWSENV_PROFILE expired"
            else
                __awsenv_min=$(((__awsenv_left + 59) / 60))
                if [ "$__awsenv_min" -lt 60 ]; then
                    AWSENV_PROMPT="$AWSENV_PROFILE ${__awsenv_min}m"
                elif [ $((__awsenv_min % 60)) -eq 0 ]; then
                    AWSENV_PROMPT="$AWSENV_PROFILE $((__awsenv_min / 60))h"
                else
                    AWSENV_PROMPT="$AWSENV_PROFILE $((__awsenv_min / 60))h$((__awsenv_min % 60 / 10))$((__awsenv_min % 10))m"
                fi
                if [ "$__awsenv_left" -le "$__awsenv_before" ]; then AWSENV_PROMPT="$AWSENV_PROMPT!"; fi
            fi
            ;;
    esac
    export AWSENV_PROMPT
    unset __awsenv_now __awsenv_before __awsenv_retry __awsenv_left __awsenv_min
    return "$__awsenv_status"
}
if [ -n "${BASH_VERSION-}" ]; then
    # First in PROMPT_COMMAND (a string, or an array in bash 5.1+), so a prompt drawn after it sees AWSENV_PROMPT.
    eval 'case ";${PROMPT_COMMAND[*]-};" in
        *";__awsenv_hook;"*) ;;
        *) case $(declare -p PROMPT_COMMAND 2>/dev/null) in
               "declare -a"*) PROMPT_COMMAND=(__awsenv_hook "${PROMPT_COMMAND[@]}") ;;
               *) PROMPT_COMMAND="__awsenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
           esac ;;
    esac'
elif [ -n "${KSH_VERSION-}" ]; then
    # ksh93 and mksh expand PS1 before each prompt; ${ …;} runs the hook in this shell (no subshell, no fork).
    case ${PS1-} in
        *__awsenv_hook*) ;;
        *) PS1='${ __awsenv_hook; }'"${PS1-\$ }" ;;
    esac
fi
