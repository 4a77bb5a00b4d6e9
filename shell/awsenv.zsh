# awsenv shell integration for zsh: eval "$(awsenv init zsh)"
# `awsenv user|role|sso|export|unset|allow|deny …` change this shell; every other command runs as it is.
awsenv() {
    emulate -L zsh
    local verb= pass= word= code=
    for word in "$@"; do
        case $word in
            -h|--help|--version|--format|--format=*|--shell|--shell=*) pass=1 ;;
            -*) ;;
            *) [[ -z $verb ]] && verb=$word ;;
        esac
    done
    if [[ -z $pass && $verb == (user|role|sso|export|unset|allow|deny) ]]; then
        code=$(command awsenv "$@" --shell zsh) || return
        eval "$code"
    else
        command awsenv "$@"
    fi
}

# Before each prompt: renew the credentials awsenv put in this shell when AWSENV_RENEW_BEFORE seconds (600) or fewer
# are left (never a question at the prompt), and keep AWSENV_PROMPT current (e.g. "prod 42m"). While the credentials
# are fresh this starts no process: zsh's own clock ($EPOCHSECONDS) is compared with the times awsenv exported.
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
__awsenv_hook() {
    emulate -L zsh
    local before=600 retry=0 now=${EPOCHSECONDS:-$(date +%s)} left minutes code
    if [[ $PWD != ${__awsenv_pwd-} ]]; then  # a new directory: enter or leave a .awsenv file's profile
        typeset -g __awsenv_pwd=$PWD
        code=$(command awsenv chdir --shell zsh </dev/null) && eval "$code"
    fi
    if [[ -z ${AWSENV_PROFILE-} ]]; then
        unset AWSENV_PROMPT
        return 0
    fi
    [[ ${AWSENV_RENEW_BEFORE-} == <-> ]] && before=$AWSENV_RENEW_BEFORE
    [[ ${AWSENV_RENEW_RETRY_AT-} == <-> ]] && retry=$AWSENV_RENEW_RETRY_AT
    # Keys with an end renew here; the credential service's variables (--server) renew by themselves.
    if [[ ${AWSENV_EXPIRES_AT-} == <-> ]] && (( AWSENV_EXPIRES_AT - now <= before && retry <= now )) \
            && [[ -z ${AWS_PROFILE-} && -n ${AWS_ACCESS_KEY_ID-} ]]
    then
        code=$(command awsenv renew --shell zsh </dev/null) && eval "$code"
    fi
    export AWSENV_PROMPT=$AWSENV_PROFILE
    if [[ ${AWSENV_PERSON_NEEDED_AT-} == <-> ]]; then
        (( left = AWSENV_PERSON_NEEDED_AT - now ))
        if (( left <= 0 )); then
            AWSENV_PROMPT+=" expired"
        else
            (( minutes = (left + 59) / 60 ))
            if (( minutes < 60 )); then
                AWSENV_PROMPT+=" ${minutes}m"
            elif (( minutes % 60 == 0 )); then
                AWSENV_PROMPT+=" $(( minutes / 60 ))h"
            else
                AWSENV_PROMPT+=" $(( minutes / 60 ))h${(l:2::0:)$(( minutes % 60 ))}m"
            fi
            (( left <= before )) && AWSENV_PROMPT+="!"
        fi
    fi
    return 0
}
autoload -Uz add-zsh-hook
add-zsh-hook precmd __awsenv_hook
