"""`awsenv exec`, `awsenv shell`, `awsenv unset` and `awsenv init`: credentials for a command or a subshell, and the
shell integration."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import (CredentialOptions, DurationOpt, FormatOpt, MfaCodeOpt, NoBrowserOpt, NoCacheOpt,
                                OverwriteProfileOpt, ProfileArg, RegionOpt, ServerOpt, ShellOpt, UnusedFormatOpt,
                                UnusedShellOpt, UseDeviceCodeOpt, WriteProfileOpt, complete_shell)
from awsenv.env import PROFILE_MARKER

CommandArgs = Annotated[Optional[list[str]], typer.Argument(
    help="The command and its arguments, after `--`.", metavar="-- CMD [ARG...]", show_default=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="Start a subshell even inside another awsenv shell.")]
InitShellArg = Annotated[str, typer.Argument(
    help="bash zsh sh ksh fish pwsh tcsh csh nu elvish xonsh", metavar="SHELL", autocompletion=complete_shell,
    show_default=False)]
CompletionOpt = Annotated[bool, typer.Option(
    "--completion", help="Also set up tab completion of commands, options and profile names (bash, zsh, fish; "
    "zsh: after compinit).", show_default=False)]


def _credentials_delta(flow: str, profile: Optional[str], options: CredentialOptions):
    from awsenv.cli.flows import profile_or_pick, request_for, write_profile_if_asked
    from awsenv.env import command_delta
    from awsenv.resolve.obtain import obtain

    name = profile_or_pick(profile, flow)
    result = obtain(request_for(name, flow, options))
    write_profile_if_asked(result, options)
    return name, command_delta(result.credentials, name, result.plan.region, result.person_needed_at)


def _say_replacing(name: str) -> None:
    previous = os.environ.get(PROFILE_MARKER)
    if previous and previous != name:
        print(f"awsenv: replacing the credentials of profile {previous!r} with {name!r}", file=sys.stderr)


@app.command("exec", short_help="Run one command with a profile's credentials.")
def exec_(profile: ProfileArg = None, command: CommandArgs = None, shell: UnusedShellOpt = None,
          format: UnusedFormatOpt = None,
          mfa_code: MfaCodeOpt = None, duration: DurationOpt = None, region: RegionOpt = None,
          no_cache: NoCacheOpt = False, write_profile: WriteProfileOpt = None,
          no_browser: NoBrowserOpt = False, use_device_code: UseDeviceCodeOpt = False,
          server: ServerOpt = False, overwrite_profile: OverwriteProfileOpt = False) -> None:
    """Run a command with the profile's credentials in its environment: no shell in between, its arguments as
    given, its exit status passed through (127 when it does not exist).
    With --server the command gets a credential server that renews them instead (awsenv stays its parent).

    Example: awsenv exec prod -- aws s3 ls
    """
    from awsenv.errors import UsageError
    from awsenv.shells.process import exec_command

    if not command:
        raise UsageError("exec needs a command",
                         hint="usage: awsenv exec PROFILE -- CMD [ARG...] (PROFILE defaults to $AWS_PROFILE)")
    options = CredentialOptions(shell, format, mfa_code, duration, region, no_cache, write_profile, no_browser,
                                use_device_code, overwrite_profile)
    if server:
        from awsenv.cli.served import exec_served

        raise typer.Exit(exec_served(profile, command, options, _say_replacing))
    name, delta = _credentials_delta("exec", profile, options)
    _say_replacing(name)
    exec_command(command, delta)


@app.command("shell", short_help="Start your shell with a profile's credentials.")
def shell_(profile: ProfileArg = None, shell: ShellOpt = None, force: ForceOpt = False,
           mfa_code: MfaCodeOpt = None, duration: DurationOpt = None, region: RegionOpt = None,
           no_cache: NoCacheOpt = False, write_profile: WriteProfileOpt = None,
           no_browser: NoBrowserOpt = False, use_device_code: UseDeviceCodeOpt = False,
           server: ServerOpt = False, overwrite_profile: OverwriteProfileOpt = False) -> int:
    """Start your shell (or --shell SHELL) with the profile's credentials set and the profile shown in its prompt;
    your own rc files are still read. `exit` returns here with the subshell's exit status.

    Example: awsenv shell prod
    """
    from awsenv.shells.process import refuse_nesting, run_subshell
    from awsenv.shells.dialects import detect_shell_process, dialect_for, executable_for

    refuse_nesting(os.environ, force)
    if shell:
        dialect_for(shell)  # an unknown name is a usage error before any AWS call
        name_and_path = (shell, executable_for(shell))
    else:
        name_and_path = detect_shell_process()
    options = CredentialOptions(shell, None, mfa_code, duration, region, no_cache, write_profile, no_browser,
                                use_device_code, overwrite_profile)
    if server:
        from awsenv.cli.served import shell_served

        raise typer.Exit(shell_served(profile, name_and_path[0], name_and_path[1], options, _say_replacing))
    name, delta = _credentials_delta("shell", profile, options)
    _say_replacing(name)
    status = run_subshell(name_and_path[0], name_and_path[1], delta, name)
    raise typer.Exit(status)


@app.command("unset", short_help="Print the code that removes awsenv's variables.")
def unset(shell: ShellOpt = None, format: FormatOpt = None) -> None:
    """Print the code that removes every variable awsenv sets (with the shell integration: do it).

    Example: eval "$(awsenv unset)"
    """
    from awsenv.env import unset_delta
    from awsenv.shells.output import choose_dialect

    dialect = choose_dialect(shell, format)
    sys.stdout.write(dialect.render(unset_delta(os.environ)))
    sys.stdout.flush()
    if sys.stdout.isatty():
        print("awsenv: to clear this shell, load that output: " + dialect.load_hint.format(args="unset")
              + "\nawsenv: or install the shell integration (`awsenv init --help`) to type `awsenv unset` alone.",
              file=sys.stderr)


def _init_help() -> str:
    from awsenv.shells.integration import RC_LINES

    return ("Print the shell integration, which makes `awsenv user|role|sso|export|unset` change the current shell "
            "when typed at the prompt. Put one line in your shell's rc file:\n\n"
            + "\n\n".join(f"  {line}" for line in RC_LINES.values()))


@app.command("init", help=_init_help(), short_help="Print the shell integration for your rc file.")
def init(shell: InitShellArg, completion: CompletionOpt = False) -> None:
    from awsenv.shells.integration import init_script

    script = init_script(shell)
    if completion:
        from awsenv.cli.completion import completion_script

        script += completion_script(shell)
    sys.stdout.write(script)
    sys.stdout.flush()
