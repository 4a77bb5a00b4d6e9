"""A region botocore does not know still works (a new region comes before botocore knows it), with a warning on
stderr naming the closest known region, on every run: also when the credentials come from the cache."""

from __future__ import annotations

from tests.helpers import parse_posix_exports
import pytest

pytestmark = pytest.mark.in_process


def test_an_unknown_region_is_used_with_a_warning_every_time(role_home, sts):
    warning = "warning: botocore knows no region 'eu-wst-1'; did you mean 'eu-west-1'?"
    for _ in range(3):  # fetched, then from the cache: the full path, then a run the fast path must not serve
        done = role_home.run("role", "deploy", "--shell", "sh", "--region", "eu-wst-1")
        assert done.returncode == 0, done.stderr
        assert parse_posix_exports(done.stdout)["AWS_REGION"] == "eu-wst-1"
        assert done.stderr.count(warning) == 1
    assert sts.actions() == ["AssumeRole"]
    known = role_home.run("role", "deploy", "--shell", "sh", "--region", "eu-west-1")
    assert known.returncode == 0 and "warning" not in known.stderr
