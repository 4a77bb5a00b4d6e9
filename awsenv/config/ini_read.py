"""The one reader of AWS config and credentials files: botocore's loader (the AWS CLI's own semantics). A file it
cannot read is a ConfigError naming FILE:LINE (config/ini_errors.py), whoever asks."""

from __future__ import annotations

import os
from typing import Optional

from awsenv.errors import ConfigError

FIX_HINT = "fix that line (sections like [profile NAME], then `key = value` lines)"


def sections(path: str, data: Optional[bytes] = None) -> dict:
    """Every section of the file at `path` as botocore reads it ({} when there is no such file); with `data`, those
    bytes read as if they were that file (nothing is read from `path` then)."""
    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    if data is not None:
        return _from_bytes(data, path)
    try:
        return raw_config_parse(path)
    except ConfigNotFound:
        return {}
    except ConfigParseError as exc:
        from awsenv.config.ini_errors import describe

        raise ConfigError(f"cannot parse {describe(path, exc.kwargs.get('error', exc))}", hint=FIX_HINT) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def profile_map(path: str, data: Optional[bytes] = None) -> dict:
    """A config file as botocore sorts it: {"profiles": {...}, "sso_sessions": {...}, ...}."""
    from botocore.configloader import build_profile_map

    return build_profile_map(sections(path, data))


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
