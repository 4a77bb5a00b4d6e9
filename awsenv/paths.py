"""Where the AWS config and credentials files are (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE or ~/.aws)."""

from __future__ import annotations

import os


def config_path(environ=os.environ) -> str:
    return os.path.expanduser(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_path(environ=os.environ) -> str:
    return os.path.expanduser(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")
