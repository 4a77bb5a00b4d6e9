"""The one place an error becomes a message on stderr and an exit status (for the Typer application and for the
simple forms run without it)."""

from __future__ import annotations

import sys

from awsenv.errors import AwsenvError
from awsenv.shells.output import drop_stdout


def guarded(command) -> int:
    """Run `command()`; its exit status: 0, or that of the AwsenvError it raised (reported), 130 on Ctrl-C, 70 for a
    bug. The Typer application adds its own exceptions around this (usage errors, Exit, Abort)."""
    try:
        result = command()
        return result if isinstance(result, int) else 0
    except AwsenvError as error:
        report(error)
        return error.exit_code
    except BrokenPipeError:
        return reader_gone()
    except KeyboardInterrupt:
        print("awsenv: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        return internal_error(error)


def reader_gone() -> int:
    """stdout's reader went away (`awsenv … | head`): end quietly with status 1, as click does, not a traceback."""
    drop_stdout()
    return 1


def internal_error(error: Exception) -> int:
    """A bug: say so without the exception's text (it could hold a secret); --debug shows the traceback, with every
    secret this process holds masked (awsenv.redact). Never the frames' local variables."""
    import logging

    drop_stdout()
    if logging.getLogger("awsenv").isEnabledFor(logging.DEBUG):
        import traceback

        from awsenv.redact import scrub

        print(scrub("".join(traceback.format_exception(error))), end="", file=sys.stderr)
    print(f"awsenv: internal error ({type(error).__name__}); run again with --debug for the traceback "
          "and report it", file=sys.stderr)
    return 70


def report(error: AwsenvError) -> None:
    from awsenv.redact import scrub  # a message quoting AWS or a program's output must not carry a secret on

    print(scrub(f"awsenv: {error.message}"), file=sys.stderr)
    if error.hint:
        print(scrub(f"awsenv: {error.hint}"), file=sys.stderr)
