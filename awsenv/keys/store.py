"""Long-lived keys in the OS keyring, through the `keyring` library: store, load, delete. Service name `awsenv`,
username the profile name, value a JSON object. `PYTHON_KEYRING_BACKEND` and keyring's config file choose the
backend; with none that keeps secrets safely, awsenv refuses rather than falling back to a plaintext file.

Imported only when keys are read or changed: a cache hit never loads keyring.
"""

from __future__ import annotations

import json
import os
from typing import Mapping, Optional

from awsenv import paths
from awsenv.keys import index as key_index
from awsenv.errors import AwsenvError, ConfigError
from awsenv.model import Credentials, StoredKeyInfo

SERVICE = "awsenv"
PREVIOUS = "\tprevious"  # suffix of the username under which a rotation keeps the key it replaces

NO_BACKEND_HINT = (
    "on a desktop, unlock your login keyring (GNOME Keyring, KWallet; macOS and Windows have one built in); "
    "without a keyring service (server, container, WSL), either run one (Debian: apt install gnome-keyring "
    "dbus-user-session) or use awsenv's encrypted file: export PYTHON_KEYRING_BACKEND=awsenv.keyfile.EncryptedFile "
    "(its passphrase is asked on the terminal, or read from AWSENV_KEYFILE_PASSPHRASE)"
)


class KeyringUnavailable(ConfigError):
    """No backend that keeps secrets safely, or the one chosen cannot be used."""


def backend():
    """The keyring backend to use, or KeyringUnavailable saying what to install or set."""
    import keyring
    import keyring.core
    from keyring.backends import fail

    try:
        chosen = keyring.get_keyring()
    except Exception as exc:  # a misspelt PYTHON_KEYRING_BACKEND or config file: keyring raises various errors
        raise KeyringUnavailable(f"the keyring backend chosen for awsenv cannot be loaded ({type(exc).__name__})",
                                 hint="check PYTHON_KEYRING_BACKEND or keyring's config file "
                                      "(`python -m keyring diagnose` shows where it is)") from None
    name = _name(chosen)
    explicit = bool(os.environ.get("PYTHON_KEYRING_BACKEND")) or _configured()
    if isinstance(chosen, fail.Keyring) or name.startswith("keyring.backends.null"):
        raise KeyringUnavailable("no keyring is available to keep the keys in", hint=NO_BACKEND_HINT)
    if not explicit and not _safe(chosen):
        raise KeyringUnavailable(f"the only keyring available is {name}, which does not keep secrets safe enough "
                                 "to be chosen silently", hint=NO_BACKEND_HINT)
    return chosen


def _name(chosen) -> str:
    return f"{type(chosen).__module__}.{type(chosen).__name__}"


def _safe(chosen) -> bool:
    try:
        first = _first(chosen)
        return first.priority >= 1 and "plaintext" not in type(first).__name__.lower()
    except Exception:
        return False


def _first(chosen):
    """The backend that receives what is stored: a chain (several backends found) stores in its first one."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(chosen, ChainerBackend) and chosen.backends:
        return chosen.backends[0]
    return chosen


def _configured() -> bool:
    try:
        from keyring.core import _config_path  # keyring's own config file location


        with open(_config_path(), encoding="utf-8") as handle:
            return "default-keyring" in handle.read()
    except (ImportError, OSError):
        return False


def describe_backend() -> str:
    chosen = _first(backend())
    return getattr(chosen, "name", None) or _name(chosen)


def _setting(chosen) -> str:
    """What PYTHON_KEYRING_BACKEND names to select the backend that stores (awsenv's own file by its public name)."""
    name = _name(_first(chosen))
    return "awsenv.keyfile.EncryptedFile" if name == "awsenv.keys.keyfile.EncryptedFile" else name


def _holder(chosen) -> dict:
    """The index's record of the backend that holds a key: its PYTHON_KEYRING_BACKEND value and its name."""
    first = _first(chosen)
    return {"backend": _setting(chosen), "backend_name": str(getattr(first, "name", None) or _name(first))}


def _failure(action: str, profile: str, exc: Exception) -> AwsenvError:
    from keyring.errors import KeyringLocked

    if isinstance(exc, AwsenvError):
        return exc
    detail = type(exc).__name__
    if isinstance(exc, KeyringLocked):
        return KeyringUnavailable(f"profile {profile!r}: cannot {action} keys: the keyring is locked",
                                  hint="unlock it (your desktop's keyring prompt or `gnome-keyring-daemon --unlock`)")
    return KeyringUnavailable(f"profile {profile!r}: the keyring could not {action} the keys ({detail})",
                              hint="`python -m keyring diagnose` shows which backend is in use; " + NO_BACKEND_HINT)


def _encode(creds: Credentials, generation: str) -> str:
    return json.dumps({"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key,
                       "generation": generation})


def _decode(profile: str, value: str) -> Credentials:
    try:
        doc = json.loads(value)
        key_id, secret = doc["AccessKeyId"], doc["SecretAccessKey"]
        if not (isinstance(key_id, str) and isinstance(secret, str) and key_id and secret):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"profile {profile!r}: what the keyring holds under service {SERVICE!r} is not "
                          "awsenv's keys", hint=f"store them again: awsenv keys add {profile}") from None
    return Credentials(key_id, secret)


def _put(username: str, profile: str, creds: Credentials, generation: str) -> None:
    chosen = backend()
    value = _encode(creds, generation)
    try:
        chosen.set_password(SERVICE, username, value)
        readback = chosen.get_password(SERVICE, username)
    except Exception as exc:
        raise _failure("store", profile, exc) from None
    if readback != value:
        raise KeyringUnavailable(f"profile {profile!r}: the keyring did not keep the keys (reading them back "
                                 "gave something else)", hint=NO_BACKEND_HINT)


def store(profile: str, creds: Credentials, environ: Mapping[str, str] = os.environ, **extra: object) -> StoredKeyInfo:
    """Store the keys, read them back, then record them in the index. Raises before the index changes."""
    if creds.session_token:
        raise ConfigError(f"profile {profile!r}: these keys carry a session token; only an IAM user's long-lived "
                          "keys are worth storing")
    import secrets

    generation = secrets.token_hex(8)
    _put(profile, profile, creds, generation)
    from awsenv.files import UnsafeDirectory

    try:
        return key_index.record(profile, creds.access_key_id, environ, generation=generation,
                                **{**_holder(backend()), **extra})
    except (UnsafeDirectory, OSError) as exc:
        raise ConfigError(f"profile {profile!r}: the keys are in the keyring, but awsenv's index "
                          f"{paths.key_index_path(environ)} could not be written: "
                          f"{getattr(exc, 'strerror', None) or exc}", hint="fix that directory and run again") from None


def load(profile: str, username: Optional[str] = None) -> Credentials:
    """The stored keys of `profile` (or another username under it, e.g. a rotation's previous key)."""
    chosen = backend()
    try:
        value = chosen.get_password(SERVICE, username or profile)
    except Exception as exc:
        raise _failure("read", profile, exc) from None
    if value is None:
        _refuse_other_backend(profile, chosen)
        raise ConfigError(f"profile {profile!r}: awsenv's index lists stored keys, but the keyring "
                          f"({getattr(chosen, 'name', _name(chosen))}) has none",
                          hint=f"store them again (awsenv keys add {profile}), or forget them: "
                               f"awsenv keys remove {profile}")
    return _decode(profile, value)


def held_elsewhere(profile: str, chosen=None) -> Optional[tuple[str, str]]:
    """(name, PYTHON_KEYRING_BACKEND value) of the backend the index says holds the key, when that is not the one in
    use; None when it is, or when the index does not say (entries written before the backend was recorded)."""
    try:
        recorded = key_index.entry(profile) or {}
    except ConfigError:
        return None
    holder = recorded.get("backend")
    if not isinstance(holder, str) or not holder or holder == _setting(chosen or backend()):
        return None
    return str(recorded.get("backend_name") or holder), holder


def _refuse_other_backend(profile: str, chosen) -> None:
    """The key is missing here because it was stored in another backend (PYTHON_KEYRING_BACKEND changed since)."""
    elsewhere = held_elsewhere(profile, chosen)
    if elsewhere is not None:
        raise ConfigError(f"profile {profile!r}'s key is stored in {elsewhere[0]}; set PYTHON_KEYRING_BACKEND="
                          f"{elsewhere[1]} to use it (the keyring in use now, {describe_backend()}, does not have it)",
                          hint=f"or store the key in this one too: awsenv keys add {profile}")


def holds(profile: str) -> bool:
    """Whether the backend in use has an entry for `profile`."""
    chosen = backend()
    try:
        return chosen.get_password(SERVICE, profile) is not None
    except Exception as exc:
        raise _failure("read", profile, exc) from None


def keep_previous(profile: str, creds: Credentials) -> None:
    _put(profile + PREVIOUS, profile, creds, "previous")


def load_previous(profile: str) -> Optional[Credentials]:
    try:
        return load(profile, profile + PREVIOUS)
    except ConfigError:
        return None


def delete(profile: str, username: Optional[str] = None) -> bool:
    """Delete the entry; False when there was none."""
    from keyring.errors import PasswordDeleteError

    chosen = backend()
    try:
        chosen.delete_password(SERVICE, username or profile)
        return True
    except PasswordDeleteError:
        return False
    except Exception as exc:
        raise _failure("delete", profile, exc) from None
