"""Per-directory profiles in the real shells: a `.awsenv` file switches the shell to its profile on entering its
directory (or one below) and back on leaving, but only once `awsenv allow` trusted it; a new, changed or freshly
cloned file is refused with one line."""

from __future__ import annotations

import subprocess

import pytest

from tests.fresh.shell_session import INTERACTIVE, start
from tests.helpers import need_binary

pytestmark = pytest.mark.process

PROD = "arn:aws:iam::111111111111:role/prod-admin"


@pytest.mark.parametrize("shell", sorted(INTERACTIVE))
def test_enter_allow_leave_change_and_clone(shell, home, sts, tmp_path):
    home.write_base_keys()
    home.write_config(f"[profile base]\nregion = us-east-1\n[profile prod]\nrole_arn = {PROD}\nsource_profile = base\n"
                      "region = eu-west-1\n")
    project = tmp_path / "proj"
    (project / "sub").mkdir(parents=True)
    (project / ".awsenv").write_text("# the account this repository deploys to\nprofile = prod\nregion = ap-south-1\n")
    session = start(shell, home.env(), tmp_path)
    try:
        session.set("AWS_REGION", "us-east-2")
        out = session.run("cd proj")
        assert "not allowed, so it is not applied" in out and "awsenv allow" in out, out
        assert session.value("AWSENV_PROFILE") == ""

        session.run("awsenv allow")
        assert session.value("AWSENV_PROFILE") == "prod"
        assert session.value("AWS_REGION") == "ap-south-1"
        first = session.value("AWS_ACCESS_KEY_ID")
        assert first.startswith("ASIA"), first

        session.run("cd sub")
        assert session.value("AWS_ACCESS_KEY_ID") == first  # still under the same file: nothing changes

        session.run("cd ../..")
        assert session.value("AWSENV_PROFILE") == ""
        assert session.value("AWS_ACCESS_KEY_ID") == ""
        assert session.value("AWS_REGION") == "us-east-2"  # as it was before entering

        (project / ".awsenv").write_text("profile = prod\nregion = us-west-1\n")
        out = session.run("cd proj")
        assert "changed since it was allowed" in out, out
        assert session.value("AWSENV_PROFILE") == ""

        origin = tmp_path / "origin"
        origin.mkdir()
        (origin / ".awsenv").write_text("profile = prod\n")
        git = need_binary("git")
        for args in (["init", "-q"], ["add", ".awsenv"],
                     ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "profile"]):
            subprocess.run([git, *args], cwd=origin, check=True)
        subprocess.run([git, "clone", "-q", str(origin), str(tmp_path / "clone")], check=True)
        out = session.run("cd ../clone")
        assert "not allowed, so it is not applied" in out, out
        assert session.value("AWSENV_PROFILE") == ""
    finally:
        session.close()
