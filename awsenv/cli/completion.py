"""The tab completion `awsenv init SHELL --completion` adds to the shell integration: the framework's own completion
script (the one `--install-completion` writes to a file), which asks awsenv for the words through
`_AWSENV_COMPLETE`, so commands, options and profile names complete as they do after `--install-completion`."""

from __future__ import annotations

from awsenv.errors import UsageError

#: Shells whose completion system the framework speaks.
COMPLETION_SHELLS = ("bash", "zsh", "fish")

# zsh's `compdef` exists only once compinit has run: without it, say what to do instead of failing in the rc file.
_ZSH_GUARD = '''\
if (( ${{+functions[compdef]}} )); then
{script}
else
    print -ru2 -- 'awsenv: no tab completion: run `autoload -Uz compinit && compinit` before `awsenv init zsh --completion`'
fi
'''


def completion_script(shell: str) -> str:
    if shell not in COMPLETION_SHELLS:
        raise UsageError(f"no tab completion for {shell}",
                         hint="--completion works with: " + " ".join(COMPLETION_SHELLS))
    from typer.completion import get_completion_script

    script = get_completion_script(prog_name="awsenv", complete_var="_AWSENV_COMPLETE", shell=shell).strip()
    if shell == "zsh":
        script = _ZSH_GUARD.format(script=script).rstrip("\n")
    return "\n# tab completion: commands, options and profile names\n" + script + "\n"
