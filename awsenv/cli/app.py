"""The Typer application: the single definition of awsenv's command-line interface."""

from __future__ import annotations

from typing import Optional

import typer

from awsenv import __version__

app = typer.Typer(
    name="awsenv",
    help="Short-lived AWS credentials from your profiles: in this shell, in one command, in a subshell, "
         "or in any SDK through credential_process.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,  # tracebacks would show local variables, and they hold secrets
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"awsenv {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                           help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Trace what awsenv does on stderr (never a secret)."),
) -> None:
    if debug:
        from awsenv.cli.debug import enable

        enable()
