"""The one reader of AWS config and credentials files: botocore's loader (the AWS CLI's own semantics). A file it
cannot read is a ConfigError naming FILE:LINE (config/ini_errors.py), whoever asks."""

from __future__ import annotations

import os
from typing import Optional

from awsenv.errors import ConfigError

FIX_HINT = "fix that line (sections like [profile NAME], then `key = value` lines)"


def sections(path: str, data: Optional[bytes] = None, variable: Optional[str] = None) -> dict:
    """Every section of the file at `path` as botocore reads it ({} when there is no such file); with `data`, those
    bytes read as if they were that file (nothing is read from `path` then). A file that exists but cannot be read
    is a ConfigError naming it and the reason, with a hint naming `variable` (the setting that points there)."""
    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    if data is not None:
        return _from_bytes(data, path)
    refuse_unreadable(path, variable)
    try:
        return raw_config_parse(path)
    except ConfigNotFound:
        return {}
    except ConfigParseError as exc:
        from awsenv.config.ini_errors import describe

        raise ConfigError(f"cannot parse {describe(path, exc.kwargs.get('error', exc))}", hint=FIX_HINT) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def profile_map(path: str, data: Optional[bytes] = None, variable: Optional[str] = None) -> dict:
    """A config file as botocore sorts it: {"profiles": {...}, "sso_sessions": {...}, ...}."""
    from botocore.configloader import build_profile_map

    return build_profile_map(sections(path, data, variable))


def refuse_unreadable(path: str, variable: Optional[str] = None) -> None:
    """botocore takes a file it cannot open (no read permission, a directory in its place) for an absent one, and a
    profile in it would then be "not configured": say which file cannot be read, and why. An absent file is fine."""
    real = os.path.expanduser(os.path.expandvars(path))
    try:
        if os.path.isdir(real):
            raise IsADirectoryError(21, "it is a directory")
        if os.path.isfile(real):
            with open(real, "rb"):
                pass
        else:  # absent, or a pipe (AWS_CONFIG_FILE=<(...)), which is botocore's to open: opening it here would eat it
            os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:  # no read permission, a directory on the way that may not be searched, ...
        where = f", or set {variable} to one" if variable else ""
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}",
                          hint=f"make it a file you can read (e.g. chmod u+r){where}") from None


def _from_bytes(data: bytes, path: str) -> dict:
    import tempfile

    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigParseError

    with tempfile.TemporaryDirectory(prefix="awsenv-") as directory:  # 0700: the file may hold keys
        copy = os.path.join(directory, "config")
        with open(copy, "wb") as handle:
            handle.write(data)
        try:
            return raw_config_parse(copy)
        except ConfigParseError as exc:
            from awsenv.config.ini_errors import describe

            raise ConfigError(f"cannot parse {describe(path, exc.kwargs.get('error', exc), data)}",
                              hint=FIX_HINT) from None
