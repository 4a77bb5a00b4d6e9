"""`awsenv console`: sign-in URLs for users, roles, role chains and SSO, deep links, partitions, durations.

The federation stand-in refuses what the AWS sign-in service refuses (long-lived and GetSessionToken keys,
SessionDuration for federation tokens and role chains), so a wrong choice fails here as it would against AWS.
"""

from __future__ import annotations

import urllib.parse

import pytest

pytestmark = pytest.mark.in_process


ROLE_ARN = "arn:aws:iam::210987654321:role/Admin"
CONFIG = f"""\
    [profile dev]
    region = eu-west-1
    awsenv_console_bookmarks = costs=https://console.aws.amazon.com/costmanagement/home#/home, logs=cloudwatch
    [profile admin]
    role_arn = {ROLE_ARN}
    source_profile = dev
    region = eu-central-1
    [profile audit]
    role_arn = arn:aws:iam::333333333333:role/Audit
    source_profile = admin
    region = eu-west-2
    [profile china]
    role_arn = arn:aws-cn:iam::210987654321:role/Admin
    source_profile = dev
    region = cn-northwest-1
    [profile gov]
    region = us-gov-west-1
    """
KEYS = """\
    [dev]
    aws_access_key_id = AKIAIOSFODNN7DEVKEY1
    aws_secret_access_key = dev/secret
    [gov]
    aws_access_key_id = AKIAIOSFODNN7GOVKEY1
    aws_secret_access_key = gov/secret
    """


@pytest.fixture
def profiles(home):
    home.write_config(CONFIG)
    home.write_credentials(KEYS)
    return home


def _run(home, federation, *args, **env):
    return home.run("console", *args, env=home.env(AWSENV_SIGNIN_URL=federation.url, **env))


def _login(done, federation) -> dict:
    assert done.returncode == 0, done.stderr
    url = urllib.parse.urlsplit(done.stdout.strip())
    assert f"{url.scheme}://{url.netloc}{url.path}" == federation.url + "/federation"
    query = dict(urllib.parse.parse_qsl(url.query))
    assert query["Action"] == "login" and query["Issuer"] == "awsenv"
    assert query["SigninToken"] == federation.tokens[-1]
    return query


def test_role_opens_its_region_with_a_12h_console_session(profiles, sts, federation):
    query = _login(_run(profiles, federation, "admin", "--print"), federation)
    assert query["Destination"] == "https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1"
    assumed = next(c for c in sts.calls if c.action == "AssumeRole")
    assert [s["sessionId"] for s in federation.sessions] == [assumed.issued]  # one sign-in token per call
    assert federation.durations == [43200] and federation.refused == []


def test_service_and_region_options_make_the_deep_link(profiles, sts, federation):
    query = _login(_run(profiles, federation, "admin", "--print", "--service", "s3", "--region", "eu-west-1"),
                   federation)
    assert query["Destination"] == "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
    query = _login(_run(profiles, federation, "admin", "--print", "--service", "ec2", "--region", "us-east-1"),
                   federation)
    assert query["Destination"] == "https://console.aws.amazon.com/ec2/v2/home?region=us-east-1"
    query = _login(_run(profiles, federation, "admin", "--print", "-s", "iam"), federation)
    assert query["Destination"] == "https://console.aws.amazon.com/iam/home"  # a global service: no region
    assert len(federation.sessions) == 3


def test_destination_is_kept_verbatim(profiles, sts, federation):
    page = "https://eu-central-1.console.aws.amazon.com/lambda/home?region=eu-central-1#/functions"
    query = _login(_run(profiles, federation, "admin", "--print", "--destination", page), federation)
    assert query["Destination"] == page


@pytest.mark.parametrize("args, words", [
    (("--service", "nosuch"), ["unknown console service 'nosuch'", "s3", "lambda", "cloudformation"]),
    (("--destination", "https://console.amazonaws.cn/s3/home"), ["aws-cn console", "signs in to aws"]),
    (("--destination", "http://console.aws.amazon.com/s3/home"), ["not an https console URL"]),
    (("--destination", "https://evil.example/console.aws.amazon.com"), ["not a page of the AWS console"]),
    (("--service", "s3", "--destination", "https://console.aws.amazon.com/s3/home"), ["give only one"]),
    (("--bookmark", "nosuch"), ["no console bookmark 'nosuch'"]),
    (("--region", "cn-north-1"), ["not in the aws partition"]),
    (("--duration", "5m"), ["15m"]),
])
def test_bad_page_options_are_usage_errors_before_any_call(profiles, sts, federation, args, words):
    done = _run(profiles, federation, "admin", "--print", *args)
    assert (done.returncode, done.stdout) == (2, "")
    for word in words:
        assert word in done.stderr
    assert sts.actions() == [] and federation.sessions == [] and federation.refused == []


def test_iam_user_signs_in_with_a_federation_token(profiles, sts, federation):
    query = _login(_run(profiles, federation, "dev", "--print", "--service", "lambda"), federation)
    assert query["Destination"] == "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1"
    assert sts.actions() == ["GetFederationToken"]
    call = sts.calls[-1]
    assert call.caller == "AKIAIOSFODNN7DEVKEY1" and "DurationSeconds" not in call.params
    assert [s["sessionId"] for s in federation.sessions] == [call.issued]
    assert federation.durations == [None]  # SessionDuration would make the sign-in fail


def test_iam_user_duration_goes_to_the_federation_token_capped_at_36h(profiles, sts, federation):
    _login(_run(profiles, federation, "dev", "--print", "--duration", "48h"), federation)
    assert sts.calls[-1].params["DurationSeconds"] == "129600"
    assert federation.durations == [None]
    _login(_run(profiles, federation, "dev", "--print", "--duration", "2h"), federation)
    assert sts.calls[-1].params["DurationSeconds"] == "7200"


def test_role_duration_is_the_console_session_capped_at_12h(profiles, sts, federation):
    done = _run(profiles, federation, "admin", "--print", "--duration", "2h")
    _login(done, federation)
    assert federation.durations == [7200]
    # The console session is set apart from the role's own session, which stays as the profile says.
    assert next(c for c in sts.calls if c.action == "AssumeRole").params["DurationSeconds"] == "3600"
    done = _run(profiles, federation, "admin", "--print", "--duration", "24h")
    _login(done, federation)
    assert federation.durations[-1] == 43200
    assert "at most 12h" in done.stderr and "24h" in done.stderr


def test_role_chain_signs_in_without_a_session_duration(profiles, sts, federation):
    done = _run(profiles, federation, "audit", "--print", "--duration", "12h")
    query = _login(done, federation)
    assert query["Destination"].startswith("https://eu-west-2.console.aws.amazon.com/")
    assert sts.actions() == ["AssumeRole", "AssumeRole"]
    assert federation.durations == [None] and federation.refused == []
    assert "role chaining" in done.stderr and "at most 1h" in done.stderr


def test_partition_comes_from_the_role_arn_and_the_region(profiles, sts, federation):
    query = _login(_run(profiles, federation, "china", "--print", "--service", "s3"), federation)
    assert query["Destination"] == "https://cn-northwest-1.console.amazonaws.cn/s3/home?region=cn-northwest-1"
    query = _login(_run(profiles, federation, "gov", "--print"), federation)
    assert query["Destination"] == "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
    done = _run(profiles, federation, "gov", "--print", "--destination", "https://console.aws.amazon.com/s3/home")
    assert done.returncode == 2 and "aws-us-gov" in done.stderr


def test_bookmarks_from_the_profile(profiles, sts, federation):
    query = _login(_run(profiles, federation, "dev", "--print", "--bookmark", "costs"), federation)
    assert query["Destination"] == "https://console.aws.amazon.com/costmanagement/home#/home"
    query = _login(_run(profiles, federation, "dev", "--print", "-b", "logs"), federation)
    assert query["Destination"] == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
    done = _run(profiles, federation, "dev", "--print", "--bookmark", "billing")
    assert done.returncode == 2 and "costs, logs" in done.stderr


def test_sso_profile_signs_in_with_its_role_credentials(sso_home, sso, sts, federation):
    sso_home.write_token()
    done = sso_home.run("console", "dev", "--print", "--service", "cloudformation", "--duration", "20h",
                        AWSENV_SIGNIN_URL=federation.url)
    query = _login(done, federation)
    assert query["Destination"] == ("https://eu-west-1.console.aws.amazon.com/cloudformation/home"
                                    "?region=eu-west-1")
    issued = [key for key, session in sts.sessions.items() if session.kind == "GetRoleCredentials"]
    assert [s["sessionId"] for s in federation.sessions] == issued and len(issued) == 1
    assert federation.durations == [43200] and "at most 12h" in done.stderr


def test_refused_sign_in_exits_1(profiles, sts):
    done = profiles.run("console", "admin", "--print", env=profiles.env(AWSENV_SIGNIN_URL="http://127.0.0.1:9"))
    assert (done.returncode, done.stdout) == (1, "")
    assert "'admin'" in done.stderr
