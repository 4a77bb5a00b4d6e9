"""--debug: awsenv's own trace on stderr, every line masked (awsenv.redact); botocore and urllib3 stay quiet (their
logs can hold secrets)."""

from __future__ import annotations

import logging

log = logging.getLogger("awsenv")


class _MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from awsenv.redact import scrub

        return scrub(super().format(record))


def enable() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_MaskingFormatter("awsenv[debug]: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False  # a root handler someone adds would print the same lines unmasked
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
