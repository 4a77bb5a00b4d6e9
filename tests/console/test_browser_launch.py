"""`awsenv console` opening the browser: the command actually run, Firefox containers, Chromium profiles.

The browser stand-in is a script that records its argv and, while awsenv still waits for it, the argv of every
process on the machine: the sign-in token must appear in the browser's argv and in no other process's.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
import time
import urllib.parse
from pathlib import Path

import pytest

pytestmark = pytest.mark.in_process


CONFIG = """\
    [profile dev]
    region = eu-west-1
    [profile prod]
    role_arn = arn:aws:iam::210987654321:role/Admin
    source_profile = dev
    region = eu-central-1
    [profile staging]
    role_arn = arn:aws:iam::123456789012:role/Admin
    source_profile = dev
    region = eu-central-1
    """
KEYS = "[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n"
COLOURS = {"blue", "turquoise", "green", "yellow", "orange", "red", "pink", "purple"}


@pytest.fixture
def profiles(home):
    home.write_config(CONFIG)
    home.write_credentials(KEYS)
    return home


def _browser(folder: Path, name: str, status: int = 0) -> Path:
    """A browser named `name` that records its argv and every process's argv into `<name>.<n>.json`."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import json, os, sys
        others = {{}}
        for pid in os.listdir("/proc"):
            if pid.isdigit() and int(pid) != os.getpid():
                try:
                    with open(f"/proc/{{pid}}/cmdline", "rb") as handle:
                        others[pid] = handle.read().decode(errors="replace")
                except OSError:
                    pass
        runs = len([f for f in os.listdir({str(folder)!r}) if f.startswith({name + '.'!r})])
        with open(os.path.join({str(folder)!r}, f"{name}.{{runs}}.json"), "w") as out:
            json.dump({{"argv": sys.argv[1:], "others": others}}, out)
        sys.exit({status})
        """))
    script.chmod(0o755)
    return script


def _runs(folder: Path, name: str) -> list[dict]:
    found = sorted(folder.glob(f"{name}.*.json"), key=lambda p: int(p.name.split(".")[-2]))
    return [json.loads(p.read_text()) for p in found]


def _run(home, federation, *args, **env):
    return home.run("console", *args, env=home.env(AWSENV_SIGNIN_URL=federation.url, **env))


def _only_the_browser_saw(run: dict, token: str) -> None:
    assert token in " ".join(run["argv"])
    seen = [cmd.replace("\0", " ") for cmd in run["others"].values() if token in cmd]
    assert seen == [], f"the sign-in token is in other processes' argv: {seen}"


def _login_query(url: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_default_runs_the_browser_command_with_the_url(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    browser = _browser(folder, "browser")
    done = _run(profiles, federation, "prod", "--service", "s3", BROWSER=str(browser))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "opened https://eu-central-1.console.aws.amazon.com/s3/home" in done.stderr
    [run] = _runs(folder, "browser")
    [url] = run["argv"]
    assert url.startswith(federation.url + "/federation?Action=login")
    query = _login_query(url)
    assert query["Destination"] == "https://eu-central-1.console.aws.amazon.com/s3/home?region=eu-central-1"
    _only_the_browser_saw(run, federation.tokens[-1])


def test_awsenv_browser_wins_and_places_the_url(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    mine, other = _browser(folder, "mine"), _browser(folder, "other")
    done = _run(profiles, federation, "prod", AWSENV_BROWSER=f"{mine} --new-window {{url}} --last",
                BROWSER=str(other))
    assert done.returncode == 0, done.stderr
    [run] = _runs(folder, "mine")
    assert run["argv"][0] == "--new-window" and run["argv"][2] == "--last"
    assert _login_query(run["argv"][1])["SigninToken"] == federation.tokens[-1]
    assert _runs(folder, "other") == []
    _only_the_browser_saw(run, federation.tokens[-1])


def test_container_opens_each_profile_in_its_own_firefox_container(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    firefox = _browser(folder, "firefox")
    for profile in ("prod", "staging", "prod"):
        done = _run(profiles, federation, profile, "--service", "s3", "--container",
                    AWSENV_BROWSER=f"{firefox} {{url}}")
        assert done.returncode == 0, done.stderr
        assert f"in Firefox container {profile!r}" in done.stderr
    runs = _runs(folder, "firefox")
    links = []
    for run, token in zip(runs, federation.tokens):
        [link] = run["argv"]
        scheme, _, query = link.partition(":")
        assert scheme == "ext+container"
        fields = dict(urllib.parse.parse_qsl(query))
        assert fields["url"].startswith(federation.url + "/federation?Action=login")
        assert _login_query(fields["url"])["SigninToken"] == token
        assert fields["color"] in COLOURS and fields["icon"]
        links.append(fields)
        _only_the_browser_saw(run, token)
    assert [f["name"] for f in links] == ["prod", "staging", "prod"]
    assert links[0]["color"] == links[2]["color"]  # a stable colour per profile


def test_container_link_for_the_granted_extension(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    firefox = _browser(folder, "firefox-esr")
    done = _run(profiles, federation, "prod", "--container", BROWSER=str(firefox),
                AWSENV_CONTAINER_EXTENSION="granted")
    assert done.returncode == 0, done.stderr
    [run] = _runs(folder, "firefox-esr")
    quoted = urllib.parse.quote(federation.url + "/federation?Action=login", safe="")
    assert run["argv"][0].startswith(f"ext+granted-containers:name=prod&url={quoted}")


def test_container_finds_firefox_on_path(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    _browser(folder, "firefox")
    done = _run(profiles, federation, "prod", "--container", PATH=str(folder))
    assert done.returncode == 0, done.stderr
    [run] = _runs(folder, "firefox")
    assert run["argv"][0].startswith("ext+container:name=prod&")


def test_container_in_chromium_uses_a_browser_profile_per_aws_profile(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    chromium = _browser(folder, "chromium")
    data = tmp_path / "data"
    for profile in ("prod", "staging"):
        done = _run(profiles, federation, profile, "--container", BROWSER=str(chromium), AWSENV_DATA_DIR=str(data))
        assert done.returncode == 0, done.stderr
    runs = _runs(folder, "chromium")
    for run, profile, token in zip(runs, ("prod", "staging"), federation.tokens):
        directory = data / "browser-profiles" / profile
        assert run["argv"][:3] == [f"--user-data-dir={directory}", "--no-first-run", "--no-default-browser-check"]
        assert _login_query(run["argv"][3])["SigninToken"] == token
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
        _only_the_browser_saw(run, token)
    assert len(runs) == 2


def test_container_without_a_known_browser_fails_before_signing_in(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    _browser(folder, "mybrowser")
    done = _run(profiles, federation, "prod", "--container", PATH=str(folder))
    assert (done.returncode, done.stdout) == (2, "") and "none was found" in done.stderr
    done = _run(profiles, federation, "prod", "--container", BROWSER=str(folder / "mybrowser"))
    assert done.returncode == 2 and "AWSENV_BROWSER_FAMILY" in done.stderr
    assert sts.actions() == [] and federation.sessions == []
    done = _run(profiles, federation, "prod", "--container", BROWSER=str(folder / "mybrowser"),
                AWSENV_BROWSER_FAMILY="chromium", AWSENV_DATA_DIR=str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert _runs(folder, "mybrowser")[0]["argv"][0].startswith("--user-data-dir=")


def test_a_failing_browser_command_is_reported(profiles, sts, federation, tmp_path):
    browser = _browser(tmp_path / "bin", "browser", status=3)
    done = _run(profiles, federation, "prod", BROWSER=str(browser))
    assert (done.returncode, done.stdout) == (1, "")
    assert "exited with status 3" in done.stderr and federation.tokens[-1] not in done.stderr


def test_print_with_container_prints_the_container_link(profiles, sts, federation):
    done = _run(profiles, federation, "prod", "--print", "--container")
    assert done.returncode == 0, done.stderr
    fields = dict(urllib.parse.parse_qsl(done.stdout.strip().partition(":")[2]))
    assert fields["name"] == "prod" and _login_query(fields["url"])["SigninToken"] == federation.tokens[-1]


def _desktop_opener(folder: Path) -> Path:
    """An `xdg-open` that records every process's argv, then follows the URL one step and records where it led."""
    folder.mkdir(exist_ok=True)
    script = folder / "xdg-open"
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import http.client, json, os, sys, urllib.parse
        others = {{}}
        for pid in os.listdir("/proc"):
            if pid.isdigit() and int(pid) != os.getpid():
                try:
                    with open(f"/proc/{{pid}}/cmdline", "rb") as handle:
                        others[pid] = handle.read().decode(errors="replace")
                except OSError:
                    pass
        url = urllib.parse.urlsplit(sys.argv[1])
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("GET", url.path)
        answer = connection.getresponse()
        record = {{"argv": sys.argv[1:], "others": others, "status": answer.status,
                  "location": answer.getheader("Location")}}
        with open({str(folder / 'xdg-open.part')!r}, "w") as out:
            json.dump(record, out)
        os.rename({str(folder / 'xdg-open.part')!r}, {str(folder / 'xdg-open.json')!r})
        """))
    script.chmod(0o755)
    return script


def test_default_browser_gets_the_url_through_a_one_time_loopback_redirect(profiles, sts, federation, tmp_path):
    folder = tmp_path / "bin"
    _desktop_opener(folder)
    done = _run(profiles, federation, "prod", "--service", "ec2", PATH=str(folder), DISPLAY=":0")
    assert done.returncode == 0, done.stderr
    assert "in the default browser" in done.stderr and done.stdout == ""
    record = folder / "xdg-open.json"
    for _ in range(200):  # the opener writes its record after awsenv has seen the page fetched
        if record.exists():
            break
        time.sleep(0.05)
    run = json.loads(record.read_text())
    [local] = run["argv"]
    assert local.startswith("http://127.0.0.1:") and run["status"] == 303
    assert _login_query(run["location"])["Destination"] == \
        "https://eu-central-1.console.aws.amazon.com/ec2/v2/home?region=eu-central-1"
    token = federation.tokens[-1]
    assert _login_query(run["location"])["SigninToken"] == token
    assert [cmd for cmd in run["others"].values() if token in cmd] == []  # not even the opener's own argv has it
    assert token not in local


def test_without_a_browser_the_url_goes_to_stderr(profiles, sts, federation, tmp_path):
    done = _run(profiles, federation, "prod", PATH=str(tmp_path))
    assert (done.returncode, done.stdout) == (0, "")
    assert federation.tokens[-1] in done.stderr and "valid for 15 minutes" in done.stderr
