# awsenv shell integration for zsh: eval "$(awsenv init zsh)"
# `awsenv user|role|sso|export|unset …` change this shell; every other command runs as it is.
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
    if [[ -z $pass && $verb == (user|role|sso|export|unset) ]]; then
        code=$(command awsenv "$@" --shell zsh) || return
        eval "$code"
    else
        command awsenv "$@"
    fi
}
