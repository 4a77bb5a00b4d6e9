"""A config or credentials file awsenv may not read is an error naming the file and the reason, not an absent file
("profile 'ops' is not in …", or `list` showing nothing with exit 0). Run as an unprivileged user: root reads any
file whatever its mode."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

pytestmark = pytest.mark.process


def _as_unprivileged(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    if os.geteuid() != 0:
        command = argv
    elif shutil.which("setpriv"):
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", *argv]
    else:
        pytest.skip("running as root without setpriv: a mode-000 file stays readable")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, start_new_session=True,
                          cwd="/")


@pytest.mark.parametrize("which", ["config", "credentials"])
def test_an_unreadable_file_is_named_with_the_reason(which, sts, awsenv_as_anyone):
    """Also where a cache hit answered before: the fast path does not serve past a file that became unreadable."""
    home = tempfile.mkdtemp(prefix="awsenv-unreadable-")
    try:
        os.chmod(home, 0o777)
        files = {name: os.path.join(home, name) for name in ("config", "credentials")}
        with open(files["config"], "w") as out:
            out.write("[profile ops]\nregion = eu-west-1\n")
        with open(files["credentials"], "w") as out:
            out.write("[ops]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s3cret\n")
        for path in files.values():
            os.chmod(path, 0o644)
        env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_CONFIG_FILE": files["config"],
               "AWS_SHARED_CREDENTIALS_FILE": files["credentials"], "AWSENV_CACHE_DIR": os.path.join(home, "cache"),
               "AWSENV_DATA_DIR": os.path.join(home, "data"), "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_ENDPOINT_URL_STS": sts.url}
        # awsenv as `nobody` can run it: a copy outside the checkout, which may sit under a private directory
        cached = _as_unprivileged([*awsenv_as_anyone, "export", "ops", "--shell", "sh"], env)
        assert cached.returncode == 0, cached.stderr
        os.chmod(files[which], 0o000)
        for args in (["export", "ops", "--shell", "sh"], ["list"], ["explain", "ops"]):
            done = _as_unprivileged([*awsenv_as_anyone, *args], env)
            assert done.returncode == 2, (args, done.stderr)
            assert done.stdout == ""
            assert f"cannot read {files[which]}: Permission denied" in done.stderr, args
            assert "not in" not in done.stderr
    finally:
        shutil.rmtree(home, ignore_errors=True)
