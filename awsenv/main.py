"""The `awsenv` entry point: serve a cache hit before importing the CLI framework, else run the full CLI."""

from __future__ import annotations

import sys


def main() -> None:
    from awsenv.fastpath import serve

    code = serve(sys.argv[1:])
    if code is None:
        from awsenv.cli import run

        code = run()
    sys.stdout.flush()
    sys.exit(code)
