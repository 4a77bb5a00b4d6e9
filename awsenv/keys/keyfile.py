"""An encrypted file as a `keyring` backend, for machines without a keyring service (servers, containers, WSL).

Select it with PYTHON_KEYRING_BACKEND=awsenv.keys.keyfile.EncryptedFile (or keyring's config file). The file
($AWSENV_KEYFILE, else keyring.enc in awsenv's data directory; 0600 in a 0700 directory) holds one JSON header
and one ciphertext: every entry is encrypted together with AES-256-GCM (authenticated: a wrong passphrase or
any changed byte is detected), under a key derived from the passphrase with Argon2id (memory-hard), the header
being the associated data. Both come from the `cryptography` package. The passphrase is asked on the terminal
(twice when the file is created), or read from AWSENV_KEYFILE_PASSPHRASE for unattended use.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Optional

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from awsenv import files, locking, paths
from awsenv.errors import ConfigError

FORMAT = "awsenv-keyfile"
PASSPHRASE_VARIABLE = "AWSENV_KEYFILE_PASSPHRASE"
PATH_VARIABLE = "AWSENV_KEYFILE"
# OWASP's Argon2id setting of 46 MiB, 1 pass, 1 lane; kept in the file's header, so it can grow later.
KDF_DEFAULTS = {"name": "argon2id", "memory_kib": 47104, "iterations": 1, "lanes": 1}


class KeyfileError(ConfigError):
    """The encrypted file cannot be opened: wrong passphrase, damaged, or no way to ask for the passphrase."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


def _derive(passphrase: str, kdf: dict) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    if kdf.get("name") != "argon2id":
        raise KeyfileError(f"the encrypted key file uses a key derivation awsenv does not know ({kdf.get('name')!r})")
    return Argon2id(salt=_unb64(kdf["salt"]), length=32, iterations=int(kdf["iterations"]),
                    lanes=int(kdf["lanes"]), memory_cost=int(kdf["memory_kib"])).derive(passphrase.encode())


def _aad(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


class EncryptedFile(KeyringBackend):
    """Entries as {service: {username: value}}, encrypted as one document."""

    name = "awsenv encrypted file"
    priority = 1  # usable when chosen; never auto-detected (it is not registered as a keyring entry point)

    def __init__(self) -> None:
        super().__init__()
        self._key: Optional[tuple[str, bytes]] = None  # (salt, derived key) for this process

    @property
    def path(self) -> str:
        return os.environ.get(PATH_VARIABLE) or os.path.join(paths.data_dir(), "keyring.enc")

    # --- keyring's interface ---------------------------------------------------------------------------

    def get_password(self, service: str, username: str) -> Optional[str]:
        return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._locked():
            entries = self._read(creating=True)
            entries.setdefault(service, {})[username] = password
            self._write(entries)

    def delete_password(self, service: str, username: str) -> None:
        with self._locked():
            entries = self._read()
            if username not in entries.get(service, {}):
                raise PasswordDeleteError("no such entry")
            del entries[service][username]
            self._write(entries)

    # --- the file --------------------------------------------------------------------------------------

    def _locked(self):
        directory = os.path.dirname(os.path.abspath(self.path))
        files.ensure_private_dir(directory)
        return locking.held(self.path + ".lock", f"the encrypted key file {self.path}", timeout=60)

    def _load_document(self) -> Optional[dict]:
        raw = files.read_no_follow(self.path)
        if raw is None:
            if os.path.lexists(self.path):
                raise KeyfileError(f"cannot read the encrypted key file {self.path} (a symlink, not a regular "
                                   "file, or not yours)")
            return None
        try:
            doc = json.loads(raw)
            if doc["header"]["format"] != FORMAT or doc["header"]["version"] != 1:
                raise ValueError
            _unb64(doc["nonce"]), _unb64(doc["data"])
            return doc
        except (ValueError, KeyError, TypeError):
            raise KeyfileError(f"{self.path} is not an awsenv encrypted key file, or it is damaged") from None

    def _read(self, creating: bool = False) -> dict:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        doc = self._load_document()
        if doc is None:
            if creating:
                self._new_key()
            return {}
        header = doc["header"]
        key = self._key_for(header["kdf"])
        try:
            plain = AESGCM(key).decrypt(_unb64(doc["nonce"]), _unb64(doc["data"]), _aad(header))
        except InvalidTag:
            self._key = None
            raise KeyfileError(f"wrong passphrase for the encrypted key file {self.path} (or the file was changed)",
                               hint=f"type the passphrase it was created with (or check {PASSPHRASE_VARIABLE}); "
                                    "nothing was changed") from None
        return json.loads(plain)

    def _write(self, entries: dict) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        assert self._key is not None
        salt, key = self._key
        header = {"format": FORMAT, "version": 1, "cipher": "AES-256-GCM", "kdf": {**KDF_DEFAULTS, "salt": salt}}
        existing = self._load_document()
        if existing is not None:
            header["kdf"] = existing["header"]["kdf"]
        nonce = os.urandom(12)
        data = AESGCM(key).encrypt(nonce, json.dumps(entries).encode(), _aad(header))
        doc = {"header": header, "nonce": _b64(nonce), "data": _b64(data)}
        files.write_or_fail(self.path, json.dumps(doc).encode(), mode=0o600)

    def _key_for(self, kdf: dict) -> bytes:
        if self._key is None or self._key[0] != kdf.get("salt"):
            self._key = (kdf["salt"], _derive(self._passphrase(confirm=False), kdf))
        return self._key[1]

    def _new_key(self) -> None:
        salt = _b64(os.urandom(16))
        self._key = (salt, _derive(self._passphrase(confirm=True), {**KDF_DEFAULTS, "salt": salt}))

    def _passphrase(self, confirm: bool) -> str:
        given = os.environ.get(PASSPHRASE_VARIABLE)
        if given:
            return given
        from awsenv.terminal import Terminal

        terminal = Terminal.open()
        if terminal is None:
            raise KeyfileError(f"the encrypted key file {self.path} needs its passphrase and there is no terminal "
                               "to ask for it", hint=f"set {PASSPHRASE_VARIABLE} (weaker: any process that can read "
                                                     "your environment can read it)")
        with terminal:
            what = "new passphrase for" if confirm else "passphrase for"
            first = terminal.ask_secret(f"awsenv: {what} {self.path}: ")
            if not first:
                raise KeyfileError("no passphrase was entered; nothing was changed")
            if confirm and terminal.ask_secret("awsenv: the same passphrase again: ") != first:
                raise KeyfileError("the two passphrases differ; nothing was changed")
            return first
