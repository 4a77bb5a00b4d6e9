"""The command line: the Typer app and its commands (errors become messages and exit codes in awsenv.cli.reporting)."""

from __future__ import annotations

import sys
from functools import lru_cache

from awsenv.cli import flows  # noqa: F401  (registers user, role, sso, export, credential-process)
from awsenv.cli import console_cmd  # noqa: F401  (registers console)
from awsenv.cli import inspect_cmds  # noqa: F401  (registers explain, list)
from awsenv.cli import process_cmds  # noqa: F401  (registers exec, shell, unset, init)
from awsenv.cli import eks_cmds  # noqa: F401  (registers eks token, eks kubeconfig)
from awsenv.cli import sso_cmds  # noqa: F401  (registers login)
from awsenv.cli import cache_cmds  # noqa: F401  (registers cache list, cache clear)
from awsenv.cli import populate_cmd  # noqa: F401  (registers populate)
from awsenv.cli import keys_cmds  # noqa: F401  (registers keys add, import, list, remove, rotate)
from awsenv.cli import service_cmds  # noqa: F401  (registers serve, serve status, serve stop, container-env)
from awsenv.cli import fresh_cmds  # noqa: F401  (registers status, prompt, allow, deny; renew, chdir)
from awsenv.cli.app import app
from awsenv.cli.reporting import guarded, internal_error, report

__all__ = ["app", "internal_error", "report", "run"]


_VALUE_OPTIONS = ("--shell", "--format", "--mfa-code", "--duration", "--region", "--write-profile")


def _normalise(argv: list[str]) -> list[str]:
    """`--write-profile` takes an optional value: a following word is its value only if it is not an option.
    `exec -- CMD` (no PROFILE before `--`) gets an empty PROFILE, so CMD is not taken for one."""
    out = list(argv)
    for index, word in enumerate(out):
        if word == "--write-profile" and (index + 1 == len(out) or out[index + 1].startswith("-")):
            out[index] = "--write-profile="
    if out[:1] == ["exec"]:
        index = 1
        while index < len(out):
            word = out[index]
            if word == "--":
                out.insert(index, "")
                break
            if not word.startswith("-"):
                break  # PROFILE
            index += 2 if word in _VALUE_OPTIONS else 1
    return out


@lru_cache(maxsize=1)
def _command():
    """The click command Typer builds from the app (a tenth of a second): built once in a process that runs several."""
    import typer

    return typer.main.get_command(app)


def run(argv: list[str] | None = None) -> int:
    import typer

    args = _normalise(sys.argv[1:] if argv is None else argv)
    command = _command()

    def invoke() -> int:
        try:
            return command.main(args=args, prog_name="awsenv", standalone_mode=False)
        except typer.Abort:
            raise KeyboardInterrupt from None
        except typer.Exit as done:
            return done.exit_code
        except Exception as error:
            if hasattr(error, "show") and isinstance(getattr(error, "exit_code", None), int):
                error.show(file=sys.stderr)  # click's usage errors (typer vendors click in newer releases)
                return error.exit_code
            raise

    return guarded(invoke)
