"""The console's pure rules: partitions and hosts, service pages, accepted destinations, bookmarks, session lengths."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from awsenv.console import browser
from awsenv.console import federation as console
from awsenv.console import links as console_links
from awsenv.console import session as console_session
from awsenv.console.links import PARTITIONS, partition_for
from awsenv.errors import ConfigError, UsageError
from awsenv.model import AssumeRole, Credentials, GetSessionToken, Plan, SsoRoleCredentials, SsoSession, StaticKeys

AWS, CN, GOV = PARTITIONS["aws"], PARTITIONS["aws-cn"], PARTITIONS["aws-us-gov"]


@pytest.mark.parametrize("arn, region, expected", [
    ("arn:aws-cn:iam::123456789012:role/A", None, "aws-cn"),
    ("arn:aws-us-gov:iam::123456789012:role/A", "us-gov-east-1", "aws-us-gov"),
    ("arn:aws:iam::123456789012:role/A", None, "aws"),
    (None, "cn-north-1", "aws-cn"),
    (None, "us-gov-west-1", "aws-us-gov"),
    (None, "eu-west-1", "aws"),
    (None, "eusc-de-east-1", "aws-eusc"),
    (None, None, "aws"),
])
def test_partition_from_the_role_arn_else_the_region(arn, region, expected):
    assert partition_for(arn, region).name == expected


@pytest.mark.parametrize("partition, host", [(AWS, "https://signin.aws.amazon.com/federation"),
                                             (CN, "https://signin.amazonaws.cn/federation"),
                                             (GOV, "https://signin.amazonaws-us-gov.com/federation")])
def test_sign_in_host_per_partition_unless_replaced(partition, host):
    assert console.federation_endpoint(partition, {}) == host
    assert console.federation_endpoint(partition, {"AWSENV_SIGNIN_URL": "http://127.0.0.1:1/"}) == \
        "http://127.0.0.1:1/federation"


def test_console_hosts_drop_the_prefix_only_for_the_partition_home_region():
    assert console_links.home_page(AWS, "us-east-1") == "https://console.aws.amazon.com/console/home?region=us-east-1"
    assert console_links.home_page(CN, "cn-north-1") == "https://console.amazonaws.cn/console/home?region=cn-north-1"
    assert console_links.home_page(GOV, "us-gov-east-1") == \
        "https://us-gov-east-1.console.amazonaws-us-gov.com/console/home?region=us-gov-east-1"
    assert console_links.home_page(AWS, None) == "https://console.aws.amazon.com/console/home"


def test_service_pages():
    assert console_links.service_page("DynamoDB", AWS, "eu-west-1") == \
        "https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1"
    assert console_links.service_page("route53", AWS, "eu-west-1") == "https://console.aws.amazon.com/route53/v2/home"
    with pytest.raises(UsageError) as raised:
        console_links.service_page("s4", AWS, None)
    assert "s3" in raised.value.hint and "--destination" in raised.value.hint


@pytest.mark.parametrize("url", ["https://console.aws.amazon.com/s3/home",
                                 "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:",
                                 "https://123456789012-abcd.eu-west-1.console.aws.amazon.com/s3/home"])
def test_accepted_destinations(url):
    assert console_links.checked_destination(url, AWS) == url


@pytest.mark.parametrize("url", ["http://console.aws.amazon.com/s3/home", "https://console.aws.amazon.com.evil.io/",
                                 "https://evilconsole.aws.amazon.com/", "https://user@console.aws.amazon.com/",
                                 "https://console.aws.amazon.com:8443/", "javascript:alert(1)",
                                 "https://console.amazonaws.cn/s3/home"])
def test_refused_destinations(url):
    with pytest.raises(UsageError):
        console_links.checked_destination(url, AWS)


def test_bookmarks_parse_and_refuse_nonsense():
    assert console_links.parse_bookmarks("p", "costs=https://console.aws.amazon.com/costmanagement/home, logs = cw,") \
        == {"costs": "https://console.aws.amazon.com/costmanagement/home", "logs": "cw"}
    assert console_links.parse_bookmarks("p", None) == {}
    with pytest.raises(ConfigError):
        console_links.parse_bookmarks("p", "costs")


def _plan(*steps) -> Plan:
    return Plan(target="t", flow="role", region="eu-west-1", steps=steps)


ROLE = AssumeRole("t", "arn:aws:iam::123456789012:role/A", "s", 3600)
SSO = SsoRoleCredentials("t", SsoSession("s", "https://x.awsapps.com/start", "us-east-1"), "1", "R")


def test_role_and_sso_sessions_default_to_12h_and_are_capped_there():
    assert console_session.for_plan(_plan(StaticKeys("b"), ROLE), None).session_duration == 43200
    capped = console_session.for_plan(_plan(SSO), 86400)
    assert capped.kind == "sso" and capped.session_duration == 43200 and "at most 12h" in capped.notes[0]
    assert console_session.for_plan(_plan(StaticKeys("b"), ROLE), 1800).session_duration == 1800


def test_chained_roles_send_no_session_length_and_want_fresh_credentials():
    chained = AssumeRole("t", ROLE.role_arn, "s", 3600, chained=True)
    session = console_session.for_plan(_plan(StaticKeys("b"), ROLE, chained), 7200)
    assert session.session_duration is None and "role chaining" in session.notes[0]
    assert session.min_ttl >= 2700


def test_user_plans_stop_at_the_keys_and_get_a_federation_token():
    plan = _plan(StaticKeys("t"), GetSessionToken("t", None))
    assert console_session.for_plan(plan, None).kind == "root"
    assert console_session.root_plan(plan).steps == (StaticKeys("t"),)
    keys = Credentials("AKIA", "secret")
    federation = console_session.for_root("t", keys, 200000, "arn:aws:iam::1:mfa/x")
    assert federation.kind == "federation" and federation.federation_duration == 129600
    assert "36h" in federation.notes[0] and "MFA" in federation.notes[1]
    temporary = console_session.for_root("t", Credentials("ASIA", "s", "token", datetime.now(timezone.utc)), None, None)
    assert temporary.kind == "temporary" and temporary.session_duration is None


def test_too_short_a_console_session_is_a_usage_error():
    with pytest.raises(UsageError):
        console_session.for_plan(_plan(StaticKeys("b"), ROLE), 600)


def test_container_colour_is_stable_and_a_valid_one():
    assert len({browser.container_colour("prod") for _ in range(20)}) == 1
    assert {browser.container_colour(f"p{i}") for i in range(50)} == set(browser.CONTAINER_COLOURS)


def test_browser_family_from_the_program_name():
    assert browser.family_of("/usr/bin/firefox-esr") == "firefox"
    assert browser.family_of("google-chrome-stable") == "chromium"
    assert browser.family_of("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome") == "chromium"
    assert browser.family_of("/usr/bin/lynx") is None


def test_handoff_redirects_once_and_only_from_its_random_path():
    import http.client
    import threading
    import urllib.parse

    from awsenv.console.handoff import Handoff

    target = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=secret"
    with Handoff(target) as handoff:
        result = []
        waiter = threading.Thread(target=lambda: result.append(handoff.wait(30)))
        waiter.start()
        local = urllib.parse.urlsplit(handoff.local_url)
        statuses = []
        for path in ("/guess", local.path):
            connection = http.client.HTTPConnection(local.hostname, local.port, timeout=10)
            connection.request("GET", path)
            answer = connection.getresponse()
            statuses.append((answer.status, answer.getheader("Location")))
            connection.close()
        waiter.join()
    assert statuses == [(404, None), (303, target)] and result == [True]
    assert "secret" not in handoff.local_url
