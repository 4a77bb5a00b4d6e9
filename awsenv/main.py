"""The `awsenv` entry point: a cache hit is served before anything heavy loads (awsenv.cli.fast); the simple forms
of the most used commands run without the command-line framework (awsenv.cli.simple); everything else goes to the
Typer application (awsenv.cli.full)."""

from __future__ import annotations

import sys


def main() -> None:
    sys.exit(run(sys.argv[1:]))


def run(argv: list[str]) -> int:
    """The exit status of `awsenv ARGV`, its output written and flushed (the whole command, without leaving)."""
    try:
        code = _answer(argv)
        sys.stdout.flush()
    except KeyboardInterrupt:
        print("awsenv: interrupted", file=sys.stderr)
        code = 130
    except Exception as error:  # a bug outside the paths' own reporting, or stdout failing at the last flush
        from awsenv.cli.reporting import internal_error, reader_gone

        code = reader_gone() if isinstance(error, BrokenPipeError) else internal_error(error)
    return code


def _answer(argv: list[str]) -> int:
    from awsenv.cli.fast import serve

    code = serve(argv)
    if code is None:
        from awsenv.cli.simple import run_simple

        code = run_simple(argv)
    if code is None:
        from awsenv.cli.full import run

        code = run(argv)
    return code
