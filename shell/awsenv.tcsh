# awsenv shell integration for tcsh and csh, sourced with the command's words by the alias that
# `eval "`awsenv init tcsh`"` defines. `awsenv user|role|sso|export|unset …` change this shell;
# every other command runs as it is.
set __awsenv_verb = ""
set __awsenv_pass = 0
foreach __awsenv_word ($argv:q)
    if ( "$__awsenv_word" == "-h" || "$__awsenv_word" == "--help" || "$__awsenv_word" == "--version" ) then
        set __awsenv_pass = 1
    else if ( "$__awsenv_word" =~ --format* || "$__awsenv_word" =~ --shell* ) then
        set __awsenv_pass = 1
    else if ( "$__awsenv_word" =~ -* ) then
        :
    else if ( "$__awsenv_verb" == "" ) then
        set __awsenv_verb = "$__awsenv_word"
    endif
end
if ( $__awsenv_pass == 0 && ( "$__awsenv_verb" == user || "$__awsenv_verb" == role || "$__awsenv_verb" == sso \
     || "$__awsenv_verb" == export || "$__awsenv_verb" == unset ) ) then
    set __awsenv_code = "`\awsenv $argv:q --shell tcsh`"
    set __awsenv_status = $status
    if ( $__awsenv_status == 0 ) eval "$__awsenv_code"
else
    \awsenv $argv:q
    set __awsenv_status = $status
endif
unset __awsenv_verb __awsenv_pass __awsenv_word __awsenv_code
( exit $__awsenv_status )
