# awsenv shell integration for bash, sh, dash, ksh and mksh: eval "$(awsenv init bash)"
# `awsenv user|role|sso|export|unset …` change this shell; every other command runs as it is.
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
        :user|:role|:sso|:export|:unset)
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
