"""A keyring backend for tests that need storing to fail (selected with PYTHON_KEYRING_BACKEND)."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError


class RefusesToStore(KeyringBackend):
    """Every store fails, as a keyring does when its owner denies access; it holds nothing."""

    priority = 1

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise PasswordSetError("access denied")

    def delete_password(self, service, username):
        raise PasswordDeleteError("no such entry")


class NeverAsked(KeyringBackend):
    """Fails every call: for commands that must answer from awsenv's index without touching the keyring."""

    priority = 1

    def get_password(self, service, username):
        raise RuntimeError("the keyring was asked")

    def set_password(self, service, username, password):
        raise RuntimeError("the keyring was asked")

    def delete_password(self, service, username):
        raise RuntimeError("the keyring was asked")


class PlaintextStore(KeyringBackend):
    """Stands for keyrings.alt's PlaintextKeyring: works, keeps secrets in clear, low priority."""

    priority = 0.5
    entries: dict = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such entry")
