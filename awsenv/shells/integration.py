"""`awsenv init SHELL`: the shell integration shipped inside the package (the files of the repository's `shell/`)."""

from __future__ import annotations

from importlib import resources

from awsenv.errors import UsageError

_FILES = {
    "bash": "awsenv.bash", "sh": "awsenv.bash", "ksh": "awsenv.bash", "zsh": "awsenv.zsh", "fish": "awsenv.fish",
    "pwsh": "awsenv.ps1", "tcsh": "awsenv.tcsh", "csh": "awsenv.tcsh", "nu": "awsenv.nu", "elvish": "awsenv.elv",
    "xonsh": "awsenv.xsh",
}

#: The line to put in the shell's rc file, for `awsenv init --help` and the README.
RC_LINES = {
    "bash": 'eval "$(awsenv init bash)"    # ~/.bashrc (also sh, ksh: ~/.profile, ~/.kshrc)',
    "zsh": 'eval "$(awsenv init zsh)"     # ~/.zshrc',
    "fish": "awsenv init fish | source    # ~/.config/fish/config.fish",
    "tcsh": 'eval "`awsenv init tcsh`"    # ~/.tcshrc',
    "elvish": "eval (awsenv init elvish | slurp)    # ~/.config/elvish/rc.elv",
    "xonsh": "execx($(awsenv init xonsh))    # ~/.xonshrc",
    "pwsh": "awsenv init pwsh | Out-String | Invoke-Expression    # $PROFILE",
    "nu": "awsenv init nu | save -f ($nu.default-config-dir | path join awsenv.nu)    # env.nu; "
          "then `source awsenv.nu` in config.nu",
}


def _shipped(name: str):
    return resources.files("awsenv").joinpath("shell_init", name)


def init_script(shell: str) -> str:
    if shell == "cmd":
        raise UsageError("cmd.exe has no shell functions, so there is no integration for it",
                         hint="load the output with: for /f \"delims=\" %i in ('awsenv export PROFILE') do @%i")
    try:
        name = _FILES[shell]
    except KeyError:
        raise UsageError(f"unknown shell {shell!r}", hint="choose one of: " + " ".join(sorted(_FILES))) from None
    if shell in ("tcsh", "csh"):
        # tcsh has no functions: an alias sources the shipped script with the command's words as its argv.
        with resources.as_file(_shipped(name)) as path:
            where = str(path)
        if any(c in where for c in "'\"$!`\n\\"):
            raise UsageError(f"awsenv is installed under a path tcsh cannot quote in an alias: {where}")
        return f"alias awsenv 'source \"{where}\" \\!*';\n"
    return _shipped(name).read_text(encoding="utf-8")
