"""`awsenv keys import`: only the key lines leave the credentials file; everything else stays byte for byte (CRLF,
comments, other sections, mode, a symlink); a keyring that refuses leaves the file untouched; --all; --for-sdk."""

from __future__ import annotations

import os
import stat

import pytest

from tests.helpers import aws_cli_v2
from tests.keys.conftest import index_path, keyfile_env

pytestmark = pytest.mark.in_process

CREDENTIALS = (
    b"# my credentials\r\n"
    b"[dev]\r\n"
    b"; about dev\r\n"
    b"aws_access_key_id = AKIAIOSFODNN7DEVKEY1\r\n"
    b"aws_secret_access_key = dev/Secret+Key\r\n"
    b"region = eu-west-1\r\n"
    b"\r\n"
    b"[ops]\r\n"
    b"aws_access_key_id=AKIAIOSFODNN7OPSKEY1\r\n"
    b"aws_secret_access_key=ops/Secret+Key\r\n"
    b"\r\n"
    b"[temp]\r\n"
    b"aws_access_key_id = ASIATEMPORARYKEY0001\r\n"
    b"aws_secret_access_key = temp-secret\r\n"
    b"aws_session_token = temp-token\r\n"
    b"# the end, no final newline"
)
DEV_KEY_LINES = b"aws_access_key_id = AKIAIOSFODNN7DEVKEY1\r\naws_secret_access_key = dev/Secret+Key\r\n"
OPS_SECTION = b"[ops]\r\naws_access_key_id=AKIAIOSFODNN7OPSKEY1\r\naws_secret_access_key=ops/Secret+Key\r\n\r\n"


def _setup(home, target=None):
    home.write_config("[profile dev]\noutput = json\n")
    path = target or home.credentials
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(CREDENTIALS)
    os.chmod(path, 0o640)
    if target is not None:
        home.credentials.parent.mkdir(parents=True, exist_ok=True)
        home.credentials.symlink_to(target)


def test_import_removes_only_the_key_lines_and_keeps_the_symlink(home, sts, tmp_path):
    real = tmp_path / "dotfiles" / "credentials"
    _setup(home, real)
    env = keyfile_env(home)
    done = home.run("keys", "import", "dev", env=env)
    assert done.returncode == 0, done.stderr
    assert home.credentials.is_symlink()
    assert real.read_bytes() == CREDENTIALS.replace(DEV_KEY_LINES, b"")
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert sorted(os.listdir(real.parent)) == ["credentials"]
    assert "dev/Secret+Key" not in done.stderr

    used = home.run("user", "dev", "--format", "json", env=env)
    assert used.returncode == 0, used.stderr
    assert [(c.action, c.caller) for c in sts.calls] == [("GetSessionToken", "AKIAIOSFODNN7DEVKEY1")]


def test_import_all_moves_every_long_lived_key_and_drops_emptied_headers(home, sts):
    _setup(home)
    env = keyfile_env(home)
    done = home.run("keys", "import", "--all", env=env)
    assert done.returncode == 0, done.stderr
    assert home.credentials.read_bytes() == CREDENTIALS.replace(DEV_KEY_LINES, b"").replace(OPS_SECTION, b"\r\n")
    listed = home.run("keys", "list", env=env).stdout
    assert "dev" in listed and "ops" in listed and "temp" not in listed
    home.write_config("[profile dev]\n[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
                      "source_profile = ops\n")
    assert "keys of ops from the keyring" in home.run("list", env=env).stdout
    role = home.run("role", "deploy", "--format", "json", env=env)
    assert role.returncode == 0, role.stderr
    assert [(c.action, c.caller) for c in sts.calls] == [("AssumeRole", "AKIAIOSFODNN7OPSKEY1")]


def test_a_keyring_that_refuses_leaves_the_file_untouched(home):
    _setup(home)
    env = home.env(PYTHON_KEYRING_BACKEND="tests.keyring_backends.RefusesToStore",
                   PYTHONPATH=keyfile_env(home)["PYTHONPATH"])
    for args in (("keys", "import", "dev"), ("keys", "import", "--all")):
        done = home.run(*args, env=env)
        assert done.returncode == 2, done.stderr
        assert "was not changed" in done.stderr
        assert home.credentials.read_bytes() == CREDENTIALS
        assert stat.S_IMODE(os.stat(home.credentials).st_mode) == 0o640
    assert not index_path(home).exists()


def test_temporary_keys_are_refused(home):
    _setup(home)
    done = home.run("keys", "import", "temp", env=keyfile_env(home))
    assert done.returncode == 2
    assert "temporary credentials" in done.stderr
    assert home.credentials.read_bytes() == CREDENTIALS


def test_both_places_warn_and_the_files_win(home, sts):
    _setup(home)
    env = keyfile_env(home)
    added = home.run("keys", "add", "dev", "--stdin", "--no-verify", env=env,
                     input='{"AccessKeyId": "AKIAIOSFODNN7KEYRING", "SecretAccessKey": "other"}')
    assert added.returncode == 0, added.stderr
    assert "also has keys in the files" in added.stderr
    done = home.run("user", "dev", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert "both in the files and in the keyring; the files' keys are used" in done.stderr
    assert [c.caller for c in sts.calls] == ["AKIAIOSFODNN7DEVKEY1"]


@pytest.mark.process
def test_for_sdk_companion_serves_the_aws_cli(home, sts, tmp_path):
    from tests.aws_data_path import aws_data_path

    aws = aws_cli_v2()
    _setup(home)
    env = keyfile_env(home)
    done = home.run("keys", "import", "dev", "--for-sdk", env=env)
    assert done.returncode == 0, done.stderr
    config = home.config.read_text()
    assert "[profile dev-sdk]\n" in config and "credential_process = awsenv credential-process dev\n" in config
    again = home.run("keys", "import", "--all", "--for-sdk", env=env)  # dev-sdk exists and is ours: fine
    assert again.returncode == 0, again.stderr
    assert home.config.read_text().count("[profile dev-sdk]") == 1
    assert "[profile ops-sdk]" in home.config.read_text()

    bin_dir = os.path.dirname(os.path.realpath(os.sys.executable))
    cli_env = dict(env, PATH=f"{os.path.dirname(os.sys.executable)}:{bin_dir}:/usr/bin:/bin",
                   AWS_DATA_PATH=aws_data_path(tmp_path / "models", {"sts": sts.url}))
    import subprocess

    who = subprocess.run([aws, "sts", "get-caller-identity", "--profile", "dev-sdk"], env=cli_env,
                         capture_output=True, text=True, timeout=120)
    assert who.returncode == 0, who.stderr
    callers = [c.caller for c in sts.calls]
    assert callers[0] == "AKIAIOSFODNN7DEVKEY1"  # awsenv: GetSessionToken with the stored key
    assert callers[-1].startswith("ASIA")  # the AWS CLI: a session, never the long-lived key
    assert "AKIAIOSFODNN7DEVKEY1" not in callers[1:]


def test_a_companion_name_taken_by_another_profile_is_refused(home):
    _setup(home)
    home.write_config("[profile dev-sdk]\nregion = us-east-1\n")
    done = home.run("keys", "import", "dev", "--for-sdk", env=keyfile_env(home))
    assert done.returncode == 2
    assert "already exists" in done.stderr
    assert home.credentials.read_bytes() == CREDENTIALS
    assert not index_path(home).exists()
