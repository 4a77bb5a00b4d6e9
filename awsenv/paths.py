"""Where the AWS config and credentials files are (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE or ~/.aws), awsenv's
own data directory (AWSENV_DATA_DIR, else XDG_DATA_HOME/awsenv, else ~/.local/share/awsenv) and its cache
(AWSENV_CACHE_DIR, else XDG_CACHE_HOME/awsenv, else ~/.cache/awsenv)."""

from __future__ import annotations

import os


def config_path(environ=os.environ) -> str:
    return os.path.expanduser(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_path(environ=os.environ) -> str:
    return os.path.expanduser(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def data_dir(environ=os.environ) -> str:
    if environ.get("AWSENV_DATA_DIR"):
        return environ["AWSENV_DATA_DIR"]
    base = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "awsenv")


def key_index_path(environ=os.environ) -> str:
    """The index of keys stored with `awsenv keys` (no secret in it)."""
    return os.path.join(data_dir(environ), "keys.json")


def cache_dir(environ=os.environ) -> str:
    if environ.get("AWSENV_CACHE_DIR"):
        return environ["AWSENV_CACHE_DIR"]
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "awsenv")


DIRECTORY_FILE = ".awsenv"


def nearest_directory_file(start: str) -> str | None:
    """The `.awsenv` file of `start` or of the nearest directory above it (a regular file only), else None."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, DIRECTORY_FILE)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
