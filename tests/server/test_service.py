"""The per-user credential service: started on demand by `export --server`, shared, scoped tokens, status, stop, the
idle exit, and SDKs (boto3, the AWS CLI v2) that get credentials from it with only its two variables."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
import urllib.parse

import pyotp
import pytest

from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED, aws_cli_v2, parse_posix_exports, run_parallel
from tests.profiles import PROD
from tests.server.children import BOTO3_CALLS, ROLE, python, role_profile, stop_service
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.process

URI, TOKEN = "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"


@pytest.fixture
def svc_env(home, tmp_path):
    run = tmp_path / "xdg"
    run.mkdir(mode=0o700)
    env = home.env(XDG_RUNTIME_DIR=str(run))
    yield env
    stop_service(run)


def _service_pid(env) -> int:
    return json.loads((open(os.path.join(env["XDG_RUNTIME_DIR"], "awsenv", "service.json")).read()))["pid"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pid: int, limit: float = 30.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _served(home, env, *args):
    done = home.run("export", "--server", *args, "--shell", "bash", env=env)
    assert done.returncode == 0, done.stderr
    return parse_posix_exports(done.stdout)


def _ask(url: str, token: str | None, path: str | None = None) -> tuple[int, dict]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path or parts.path, headers={"Authorization": token} if token else {})
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    return response.status, body


def _child_env(env, exports):
    child = {k: v for k, v in env.items() if not k.startswith("AWSENV")}
    child.update({URI: exports[URI], TOKEN: exports[TOKEN], "AWS_REGION": exports["AWS_REGION"],
                  "AWS_DEFAULT_REGION": exports["AWS_DEFAULT_REGION"]})
    return child


def test_export_server_prints_the_service_variables_and_the_service_outlives_the_call(home, svc_env, tmp_path):
    role_profile(home)
    exports = _served(home, dict(svc_env, AWS_ACCESS_KEY_ID="AKIASTALESTALESTALE1", AWS_PROFILE="base"), "dev")
    assert exports[URI].startswith("http://127.0.0.1:") and exports[URI].endswith("/profile/dev")
    assert exports["AWSENV_PROFILE"] == "dev" and exports["AWS_REGION"] == "eu-west-1"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert name not in exports
    pid = _service_pid(svc_env)
    assert _alive(pid)  # the awsenv call has returned; the service it started has not
    done = subprocess.run(python(tmp_path, "calls.py", BOTO3_CALLS), env=_child_env(svc_env, exports),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["method"] == "container-role" and report["arn"].endswith(":assumed-role/dev/awsenv-dev")
    aws = aws_cli_v2()
    cli = subprocess.run([aws, "sts", "get-caller-identity", "--output", "json", "--endpoint-url",
                          svc_env["AWS_ENDPOINT_URL_STS"]], env=_child_env(svc_env, exports), capture_output=True,
                         text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"].endswith(":assumed-role/dev/awsenv-dev")


def test_the_cache_hit_path_does_not_answer_a_server_request(home, svc_env):
    role_profile(home)
    plain = home.run("export", "dev", "--shell", "bash", env=svc_env)
    assert plain.returncode == 0 and "AWS_ACCESS_KEY_ID" in plain.stdout
    exports = _served(home, svc_env, "dev")
    assert URI in exports and "AWS_ACCESS_KEY_ID" not in exports


def test_two_shells_starting_it_at_once_share_one_service(home, svc_env):
    role_profile(home)
    results = run_parallel(svc_env, 2, "export", "--server", "dev", "--shell", "bash", cwd=str(home.root))
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    urls = {parse_posix_exports(r.stdout)[URI] for r in results}
    tokens = {parse_posix_exports(r.stdout)[TOKEN] for r in results}
    assert len(urls) == 1 and len(tokens) == 2
    status = home.run("serve", "status", env=svc_env)
    assert status.returncode == 0, status.stderr
    assert f"credential service {_service_pid(svc_env)} " in status.stdout
    assert "2 token(s)" in status.stdout


def test_a_token_opens_its_own_profile_only(home, svc_env):
    role_profile(home)
    home.write_config(home.config.read_text()
                      + f"[profile ops]\nregion = eu-west-1\nrole_arn = {ROLE}\nsource_profile = base\n")
    dev, ops = _served(home, svc_env, "dev"), _served(home, svc_env, "ops")
    assert _ask(dev[URI], dev[TOKEN])[0] == 200
    assert _ask(ops[URI], ops[TOKEN])[0] == 200
    assert _ask(ops[URI], dev[TOKEN])[0] == 403  # dev's token on ops's route
    assert _ask(dev[URI], ops[TOKEN])[0] == 403
    assert _ask(dev[URI], None)[0] == 401
    assert _ask(dev[URI], dev[TOKEN] + "x")[0] == 401
    status, body = _ask(dev[URI], dev[TOKEN], path="/")
    assert status == 404 and "AccessKeyId" not in body


def test_status_names_the_profiles_without_secrets_and_stop_ends_the_service(home, svc_env):
    role_profile(home)
    exports = _served(home, svc_env, "dev")
    status = home.run("serve", "status", env=svc_env)
    assert status.returncode == 0, status.stderr
    assert "dev: credentials until " in status.stdout
    assert exports[TOKEN] not in status.stdout + status.stderr
    admin = open(os.path.join(svc_env["XDG_RUNTIME_DIR"], "awsenv", "admin-token")).read()
    assert admin not in status.stdout + status.stderr
    assert oct(os.stat(os.path.join(svc_env["XDG_RUNTIME_DIR"], "awsenv")).st_mode & 0o777) == "0o700"
    pid = _service_pid(svc_env)
    stopped = home.run("serve", "stop", env=svc_env)
    assert stopped.returncode == 0, stopped.stderr
    assert _wait_gone(pid)
    after = home.run("serve", "status", env=svc_env)
    assert after.returncode != 0 and "no credential service is running" in after.stderr


def test_the_service_exits_when_idle_and_its_shell_is_gone(home, svc_env):
    role_profile(home)
    env = dict(svc_env, AWSENV_SERVE_IDLE="1")
    # The "shell" that evaluates the exports ends right after; the service then has no client left.
    done = subprocess.run(["sh", "-c", f'eval "$("{AWSENV}" export --server dev --shell sh)"; true'], env=env,
                          capture_output=True, text=True, timeout=60, start_new_session=True)
    assert done.returncode == 0, done.stderr
    pid = _service_pid(env)
    assert _wait_gone(pid)
    assert not os.path.exists(os.path.join(env["XDG_RUNTIME_DIR"], "awsenv", "service.json"))


def test_the_service_stays_while_its_shell_runs(home, svc_env):
    role_profile(home)
    env = dict(svc_env, AWSENV_SERVE_IDLE="1")
    shell = subprocess.Popen(["sh", "-c", f'eval "$("{AWSENV}" export --server dev --shell sh)"; echo ready; '
                                          'read line'], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        assert shell.stdout.readline().strip() == "ready"
        pid = _service_pid(env)
        time.sleep(2.5)  # more than the idle time: the shell still runs, so the service does too
        assert _alive(pid)
    finally:
        shell.communicate("\n", timeout=10)
    assert _wait_gone(pid)


def test_container_env_lines_give_boto3_the_credentials(home, svc_env, tmp_path):
    role_profile(home)
    done = home.run("container-env", "dev", "--listen", "127.0.0.1", env=svc_env)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert set(lines) == {URI, TOKEN, "AWS_REGION", "AWS_DEFAULT_REGION"}
    assert lines[URI].startswith("http://127.0.0.1:") and lines[URI].endswith("/profile/dev")
    child = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_ENDPOINT_URL_STS": svc_env["AWS_ENDPOINT_URL_STS"],
             "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
             "AWS_EC2_METADATA_DISABLED": "true", **lines}
    run = subprocess.run(python(tmp_path, "calls.py", BOTO3_CALLS), env=child, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["method"] == "container-role"


def test_a_renewal_that_needs_a_person_names_the_command_and_takes_the_new_session(home, sts, svc_env, tmp_path):
    import pexpect
    import pyotp

    from tests.helpers import MFA_SERIAL, TOTP_SEED

    home.write_config(f"[profile dev]\nregion = eu-west-1\nmfa_serial = {MFA_SERIAL}\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.lifetime = 8
    env = dict(svc_env, AWSENV_SERVER_MIN_TTL="4")
    totp = pyotp.TOTP(TOTP_SEED)
    first = totp.now()
    found = tmp_path / "exports"
    script = (f'eval "$({AWSENV} export --server dev --mfa-code {first} --shell bash)" && '
              f'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN" > {found}; sleep 60')
    terminal = pexpect.spawn("bash", ["-c", script], env=env, cwd=str(home.root), encoding="utf-8", timeout=40)
    try:
        # Said once on the terminal that registered the profile, with the command to run.
        terminal.expect("could not renew the credentials of profile 'dev'")
        terminal.expect(r"run `awsenv export dev` in a terminal")
        url, token = found.read_text().split()
        deadline = time.monotonic() + 30
        while (answer := _ask(url, token))[0] == 200 and time.monotonic() < deadline:
            time.sleep(0.2)  # the current credentials are served until they run out
        status, body = answer
        assert status == 503 and "awsenv export dev" in body["message"], body
        second = next(c for c in (totp.at(time.time() + d) for d in (30, -30, 0)) if c != first)
        again = home.run("export", "dev", "--mfa-code", second, "--shell", "bash", env=env)
        assert again.returncode == 0, again.stderr
        deadline = time.monotonic() + 30
        while (answer := _ask(url, token))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer[0] == 200, answer
        assert answer[1]["AccessKeyId"] in again.stdout  # the session the person just made, from the cache
        assert terminal.isalive()
    finally:
        terminal.terminate(force=True)
    log = open(os.path.join(env["XDG_RUNTIME_DIR"], "awsenv", "serve.log")).read()
    assert "could not renew the credentials of profile 'dev'" in log and token not in log


def test_unset_removes_the_service_variables(home, svc_env):
    role_profile(home)
    exports = _served(home, svc_env, "dev")
    inside = dict(svc_env, **{k: v for k, v in exports.items() if k.startswith(("AWS_", "AWSENV_"))})
    done = home.run("unset", "--shell", "sh", env=inside)
    assert done.returncode == 0, done.stderr
    script = "".join(f"export {k}='{v}'\n" for k, v in exports.items() if k.startswith(("AWS_", "AWSENV_")))
    after = parse_posix_exports(script + done.stdout)
    for name in (URI, TOKEN, "AWSENV_PROFILE"):
        assert name not in after


def test_a_second_service_in_the_foreground_is_refused(home, svc_env):
    role_profile(home)
    _served(home, svc_env, "dev")
    done = home.run("serve", env=svc_env)
    assert done.returncode != 0
    assert f"already running (pid {_service_pid(svc_env)})" in done.stderr


def test_the_control_route_takes_the_admin_token_only(home, svc_env):
    role_profile(home)
    exports = _served(home, svc_env, "dev")
    port = urllib.parse.urlsplit(exports[URI]).port
    admin = open(os.path.join(svc_env["XDG_RUNTIME_DIR"], "awsenv", "admin-token")).read()

    def control(token, host=f"127.0.0.1:{port}", body=b'{"op": "status"}'):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest("POST", "/admin", skip_host=True)
        conn.putheader("Host", host)
        conn.putheader("Content-Length", str(len(body)))
        if token:
            conn.putheader("Authorization", token)
        conn.endheaders(body)
        response = conn.getresponse()
        answer = response.status, response.read()
        conn.close()
        return answer

    assert control(admin)[0] == 200
    assert control(None)[0] == 401
    assert control(exports[TOKEN])[0] == 401  # a profile's token opens no control
    assert control(admin, host=f"evil.example:{port}")[0] == 403
    status, body = control(admin, body=b'{"op": "nothing"}')
    assert status == 400 and b"unknown operation" in body
    assert _alive(_service_pid(svc_env))


def test_role_server_registers_the_role_with_the_running_service(home, svc_env):
    role_profile(home)
    first = _served(home, svc_env, "dev")
    done = home.run("role", "--server", "dev", "--shell", "bash", env=svc_env)
    assert done.returncode == 0, done.stderr
    second = parse_posix_exports(done.stdout)
    assert second[URI] == first[URI] and second[TOKEN] != first[TOKEN]  # one service, a token per client
    status, body = _ask(second[URI], second[TOKEN])
    assert status == 200 and body["AccessKeyId"].startswith("ASIA")


def test_server_refuses_write_profile(home, svc_env):
    role_profile(home)
    done = home.run("export", "--server", "dev", "--write-profile", env=svc_env)
    assert done.returncode == 2 and done.stdout == ""
    assert "--write-profile does not go with --server" in done.stderr


def test_a_shell_moved_to_the_service_keeps_no_times_of_its_old_keys(home, sts, svc_env):
    """`export prod` then `export --server prod` in one shell: the keys' end (AWSENV_EXPIRES_AT) goes with the keys, so
    the prompt hook never renews nor counts down keys the shell no longer holds; a person is next needed when the
    MFA session the service renews from ends, and the prompt says so."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule(require_mfa=True)
    home.write_base_keys()
    home.write_config(f"[profile base]\n[profile prod]\nrole_arn = {PROD}\nsource_profile = base\n"
                      f"mfa_serial = {MFA_SERIAL}\nregion = eu-west-1\n")
    keys = home.run("export", "prod", "--shell", "bash", "--mfa-code", pyotp.TOTP(TOTP_SEED).now(), env=svc_env)
    assert keys.returncode == 0, keys.stderr
    assert parse_posix_exports(keys.stdout)["AWSENV_EXPIRES_AT"].isdigit()
    served = home.run("export", "--server", "prod", "--shell", "bash", env=svc_env)
    assert served.returncode == 0, served.stderr
    shell = parse_posix_exports(keys.stdout + "\n" + served.stdout)
    gone = {"AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWSENV_EXPIRES_AT"}
    assert not gone & set(shell) and shell["AWSENV_PROFILE"] == "prod" and URI in shell
    mfa_session_end = int(parse_posix_exports(keys.stdout)["AWSENV_PERSON_NEEDED_AT"])
    assert shell["AWSENV_PERSON_NEEDED_AT"] == str(mfa_session_end)
    prompt = home.run("prompt", env={**svc_env, **shell})
    assert prompt.stdout.strip().startswith("prod ") and prompt.stdout.strip() != "prod expired"
