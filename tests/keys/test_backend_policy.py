"""Which keyring backends awsenv accepts: never a plaintext one found by detection; any one chosen explicitly."""

from __future__ import annotations

import keyring
import pytest

from awsenv.keys import store as keystore
from tests.keyring_backends import PlaintextStore


@pytest.fixture
def no_choice(monkeypatch, tmp_path):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no keyring config file
    previous = keyring.get_keyring()
    yield tmp_path / "config" / "python_keyring" / "keyringrc.cfg"
    keyring.set_keyring(previous)


def test_a_detected_plaintext_backend_is_refused(no_choice):
    keyring.set_keyring(PlaintextStore())  # what detection lands on when only keyrings.alt is installed
    with pytest.raises(keystore.KeyringUnavailable) as refused:
        keystore.backend()
    assert refused.value.exit_code == 2
    assert "PYTHON_KEYRING_BACKEND=awsenv.keyfile.EncryptedFile" in (refused.value.hint or "")


def test_a_chain_that_would_store_in_plaintext_is_refused(no_choice, monkeypatch):
    from keyring.backends.chainer import ChainerBackend

    monkeypatch.setattr(ChainerBackend, "backends", [PlaintextStore(), PlaintextStore()])
    keyring.set_keyring(ChainerBackend())
    with pytest.raises(keystore.KeyringUnavailable):
        keystore.backend()


def test_a_backend_chosen_in_keyrings_config_file_is_used(no_choice):
    no_choice.parent.mkdir(parents=True)
    no_choice.write_text("[backend]\ndefault-keyring = tests.keyring_backends.PlaintextStore\n")
    chosen = PlaintextStore()
    keyring.set_keyring(chosen)
    assert keystore.backend() is chosen
