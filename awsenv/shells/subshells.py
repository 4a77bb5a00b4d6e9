"""How to start each shell as an interactive subshell that still loads the user's own rc files and then prefixes
the prompt with a marker naming the profile. Pure: returns the argv, the extra environment and the small rc files
to write; `awsenv.shells.process` writes them into a private temporary directory and removes them afterwards.

The marker reads AWSENV_PROFILE when the prompt is drawn (so switching profiles inside the subshell shows), except
in tcsh, whose prompt cannot; there a label fixed at start is used, cut down to characters no prompt interprets."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from awsenv.shells.posix import Posix
from awsenv.shells.tcsh import Tcsh

MARKER_PREFIX = "aws:"


@dataclass(frozen=True)
class SubshellRecipe:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # added to the child's environment
    files: dict[str, str] = field(default_factory=dict)  # file name in the temporary directory -> text


def static_label(profile: str) -> str:
    """The marker with every character outside a small safe set replaced, for prompts that interpret text."""
    return "(" + MARKER_PREFIX + re.sub(r"[^A-Za-z0-9._@+=,:/-]", "_", profile) + ")"


def _home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def _bash(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    rc = ('if [ -f ~/.bashrc ]; then . ~/.bashrc; fi\n'
          'PS1=\'${AWSENV_PROFILE:+(' + MARKER_PREFIX + '$AWSENV_PROFILE) }\'"${PS1-\\$ }"\n')
    return SubshellRecipe([path, "--rcfile", os.path.join(tmp, "bashrc"), "-i"], files={"bashrc": rc})


def _zsh(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    q = Posix().quote
    user_dir = environ.get("ZDOTDIR") or _home(environ)
    # zsh reads $ZDOTDIR/.zshenv then $ZDOTDIR/.zshrc: each of ours reads the user's from their directory
    # (which .zshenv may change), then points ZDOTDIR back here until the last one.
    zshenv = (f"ZDOTDIR={q(user_dir)}\n"
              '[[ -f "$ZDOTDIR/.zshenv" ]] && source "$ZDOTDIR/.zshenv"\n'
              "__awsenv_zdotdir=$ZDOTDIR\n"
              f"ZDOTDIR={q(tmp)}\n")
    zshrc = ('ZDOTDIR=$__awsenv_zdotdir\n'
             'unset __awsenv_zdotdir\n'
             '[[ -f "$ZDOTDIR/.zshrc" ]] && source "$ZDOTDIR/.zshrc"\n'
             '__awsenv_prompt_marker() {\n'
             '  PROMPT=${PROMPT#"$__awsenv_marker"}\n'
             '  __awsenv_marker=${AWSENV_PROFILE:+(' + MARKER_PREFIX + '${AWSENV_PROFILE//\\%/%%}) }\n'
             '  PROMPT=$__awsenv_marker$PROMPT\n'
             '}\n'
             'typeset -ga precmd_functions\n'
             'precmd_functions+=(__awsenv_prompt_marker)\n')
    return SubshellRecipe([path, "-i"], env={"ZDOTDIR": tmp}, files={".zshenv": zshenv, ".zshrc": zshrc})


def _ksh(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    q = Posix().quote
    name = os.path.basename(path)
    default = "" if name in ("sh", "dash", "ash") else os.path.join(_home(environ), ".mkshrc" if "mksh" in name
                                                                     else ".kshrc")
    user_rc = environ.get("ENV", default)
    restore = f"ENV={q(environ['ENV'])}\n" if "ENV" in environ else "unset ENV\n"
    rc = (restore
          + (f"if [ -f {q(user_rc)} ]; then . {q(user_rc)}; fi\n" if user_rc else "")
          + 'PS1=\'${AWSENV_PROFILE:+(' + MARKER_PREFIX + '$AWSENV_PROFILE) }\'"${PS1-\\$ }"\n')
    return SubshellRecipe([path, "-i"], env={"ENV": os.path.join(tmp, "shrc")}, files={"shrc": rc})


def _fish(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    # --init-command runs after the user's config, before the first prompt.
    init = ("functions -q fish_prompt; and functions --copy fish_prompt __awsenv_user_prompt\n"
            "function fish_prompt\n"
            "    set -q AWSENV_PROFILE; and printf '(" + MARKER_PREFIX + "%s) ' $AWSENV_PROFILE\n"
            "    functions -q __awsenv_user_prompt; and __awsenv_user_prompt\n"
            "end\n")
    return SubshellRecipe([path, "--init-command", init, "-i"])


def _tcsh(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    # tcsh has no option for another rc file: HOME points here for startup, our .tcshrc puts it back at once.
    q = Tcsh().quote
    home = _home(environ)
    rc = (f"setenv HOME {q(home)}\n"
          f"set home={q(home)}\n"
          "if ( -f ~/.tcshrc ) then\n  source ~/.tcshrc\nelse if ( -f ~/.cshrc ) then\n  source ~/.cshrc\nendif\n"
          "if ( ! $?prompt ) set prompt='> '\n"
          f"set prompt={q(static_label(profile) + ' ')}\"$prompt\"\n")
    return SubshellRecipe([path, "-i"], env={"HOME": tmp}, files={".tcshrc": rc})


def _elvish(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    config = environ.get("XDG_CONFIG_HOME") or os.path.join(_home(environ), ".config")
    user_rc = ""
    for candidate in (os.path.join(config, "elvish", "rc.elv"), os.path.join(_home(environ), ".elvish", "rc.elv")):
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8", errors="surrogateescape") as handle:
                user_rc = handle.read()
            break
    rc = (user_rc + "\n"
          "var __awsenv-user-prompt = $edit:prompt\n"
          "set edit:prompt = { if (has-env AWSENV_PROFILE) { put '(" + MARKER_PREFIX + "'$E:AWSENV_PROFILE') ' }; "
          "$__awsenv-user-prompt }\n")
    return SubshellRecipe([path, "-rc", os.path.join(tmp, "rc.elv")], files={"rc.elv": rc})


def _xonsh(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    config = environ.get("XDG_CONFIG_HOME") or os.path.join(_home(environ), ".config")
    defaults = ["/etc/xonshrc", os.path.join(config, "xonsh", "rc.xsh"), os.path.join(_home(environ), ".xonshrc"),
                "/etc/xonsh/rc.d", os.path.join(config, "xonsh", "rc.d")]
    rc = ("def __awsenv_prompt(user_prompt=$PROMPT):\n"
          "    shown = user_prompt() if callable(user_prompt) else user_prompt\n"
          "    name = ${...}.get('AWSENV_PROFILE')\n"
          "    if not name:\n"
          "        return shown\n"
          "    return '(" + MARKER_PREFIX + "' + name.replace('{', '{{').replace('}', '}}') + ') ' + shown\n"
          "$PROMPT = __awsenv_prompt\n")
    existing = [p for p in defaults if os.path.exists(p)]
    return SubshellRecipe([path, "-i", "--rc", *existing, os.path.join(tmp, "rc.xsh")], files={"rc.xsh": rc})


def _nu(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    code = ("let __awsenv_user_prompt = ($env.PROMPT_COMMAND? | default {|| $env.PWD })\n"
            "$env.PROMPT_COMMAND = {||\n"
            "  let shown = if ($__awsenv_user_prompt | describe) == 'closure' { do $__awsenv_user_prompt } "
            "else { $__awsenv_user_prompt }\n"
            "  if ($env.AWSENV_PROFILE? | is-empty) { $shown } else { '(" + MARKER_PREFIX
            + "' + $env.AWSENV_PROFILE + ') ' + $shown }\n"
            "}\n")
    return SubshellRecipe([path, "--execute", code])


def _pwsh(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    code = ("$__awsenvUserPrompt = $function:prompt; "
            "function global:prompt { $m = if ($Env:AWSENV_PROFILE) { '(" + MARKER_PREFIX
            + "' + $Env:AWSENV_PROFILE + ') ' } else { '' }; $m + (& $__awsenvUserPrompt) }")
    return SubshellRecipe([path, "-NoExit", "-Command", code])


def _cmd(path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    return SubshellRecipe([path, "/k", "prompt " + static_label(profile) + " $P$G"])


_RECIPES: dict[str, Callable[[str, str, Mapping[str, str], str], SubshellRecipe]] = {
    "bash": _bash, "zsh": _zsh, "sh": _ksh, "ksh": _ksh, "fish": _fish, "tcsh": _tcsh, "csh": _tcsh,
    "elvish": _elvish, "xonsh": _xonsh, "nu": _nu, "pwsh": _pwsh, "cmd": _cmd,
}


def recipe(shell: str, path: str, tmp: str, environ: Mapping[str, str], profile: str) -> SubshellRecipe:
    """`shell` is a dialect name (see awsenv.shells.SHELL_NAMES), `path` its executable, `tmp` a private directory."""
    return _RECIPES[shell](path, tmp, environ, profile)
