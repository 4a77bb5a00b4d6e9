"""--debug: awsenv's own trace on stderr; botocore and urllib3 stay quiet (their logs can hold secrets)."""

from __future__ import annotations

import logging

log = logging.getLogger("awsenv")


def enable() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("awsenv[debug]: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
