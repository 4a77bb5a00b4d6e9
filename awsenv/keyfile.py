"""The public name of awsenv's encrypted-file keyring backend: PYTHON_KEYRING_BACKEND=awsenv.keyfile.EncryptedFile
(the backend itself lives in awsenv.keys.keyfile)."""

from awsenv.keys.keyfile import EncryptedFile

__all__ = ["EncryptedFile"]
