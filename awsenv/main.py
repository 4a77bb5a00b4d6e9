"""The `awsenv` entry point: a cache hit is served before anything heavy loads (awsenv.fastpath); the simple forms
of the most used commands run without the command-line framework (awsenv.simple_cli); everything else goes to the
Typer application (awsenv.cli)."""

from __future__ import annotations

import sys


def main() -> None:
    from awsenv.fastpath import serve

    argv = sys.argv[1:]
    code = serve(argv)
    if code is None:
        from awsenv.simple_cli import run_simple

        code = run_simple(argv)
    if code is None:
        from awsenv.cli import run

        code = run()
    sys.stdout.flush()
    sys.exit(code)
