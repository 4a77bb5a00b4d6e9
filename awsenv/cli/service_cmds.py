"""`awsenv serve [status|stop]`, `awsenv container-env PROFILE`, and `--server` on user/role/sso/export: the
per-user credential service (awsenv/server/service.py)."""

from __future__ import annotations

import os
import sys
import time
from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import CredentialOptions, ProfileArg
from awsenv.errors import AwsenvError, UsageError
from awsenv.terminal import say

serve_app = typer.Typer(invoke_without_command=True)
app.add_typer(serve_app, name="serve", short_help="Run, show or stop the per-user credential service.")

CONTAINER_ADDRESS = "169.254.170.2"  # the ECS address: every AWS SDK accepts it over plain HTTP


@serve_app.callback()
def serve(ctx: typer.Context) -> None:
    """Run the per-user credential service in the foreground (it is otherwise started on demand by `--server`).

    It serves every profile a shell or container was given a token for (`awsenv export PROFILE --server`,
    `awsenv container-env PROFILE`), renewing their credentials as `exec --server` does, and exits after
    AWSENV_SERVE_IDLE seconds (default 3600) with no request and no shell left.

    Example: awsenv serve status
    """
    if ctx.invoked_subcommand is None:
        from awsenv.server.serving import serve as run

        raise typer.Exit(run())


def _running():
    from awsenv.server.runtime import running

    client = running()
    if client is None:
        raise AwsenvError("no credential service is running",
                          hint="`awsenv export PROFILE --server` starts it; so does `awsenv serve`")
    return client


@serve_app.command("status")
def serve_status() -> None:
    """Say what the running service serves: its profiles, until when, and where it listens (never a secret).

    Example: awsenv serve status
    """
    status = _running().call("status")
    print(f"credential service {status['pid']} listening on {', '.join(status['listening'])}")
    for one in status["profiles"]:
        line = f"  {one['profile']}: credentials until {one['until'] or '?'}, {one['tokens']} token(s)"
        if one["problem"]:
            line += f"; renewal failing: {one['problem']}"
        print(line)
    if not status["profiles"]:
        print("  no profile yet")
    shells = status["shells"]
    print(f"  {len(shells)} shell(s) still using it; exits after {status['idle_exit_after']:g}s idle with none left")


@serve_app.command("stop")
def serve_stop() -> None:
    """Stop the running service: its clients get no more credentials.

    Example: awsenv serve stop
    """
    client = _running()
    client.call("stop")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(client.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    say(f"stopped the credential service {client.pid}")


def _tty() -> Optional[str]:
    try:
        return os.ttyname(2) if os.isatty(2) else None
    except OSError:
        return None


def _shell_pid() -> int:
    """The process whose life keeps the service up: the terminal's session leader (the shell in that window), else
    awsenv's parent (`eval "$(...)"` may run awsenv from a subshell that ends at once)."""
    session = os.getsid(0)
    return session if session not in (os.getpid(), 0) else os.getppid()


def _register(flow: str, profile: Optional[str], options: CredentialOptions, pid: Optional[int]):
    """Obtain the profile's credentials here first (prompts and sign-ins happen in this terminal, into the cache
    the service reads), then register it with the service, started if need be."""
    from awsenv.commands.credentials import profile_or_pick, request_for
    from awsenv.resolve.obtain import obtain
    from awsenv.server.runtime import ensure_started

    if options.write_profile is not None:
        raise UsageError("--write-profile does not go with --server: the service hands out no keys to write",
                         hint="leave out one of the two")
    if options.no_cache:
        raise UsageError("--no-cache does not go with --server: the service renews through the cache",
                         hint="leave out one of the two")
    name = profile_or_pick(profile, flow)
    result = obtain(request_for(name, flow, options))
    client = ensure_started()
    answer = client.call("register", profile=name, duration=options.duration, region=options.region, pid=pid,
                         tty=_tty() if pid else None)
    answer = dict(answer, person_needed_at=result.person_needed_at)  # what the shell's prompt counts down to
    return name, result.plan.region or answer.get("region"), client, answer


def print_served(flow: str, profile: Optional[str], options: CredentialOptions) -> None:
    """`--server` on user/role/sso/export: the shell gets the service's variables, never keys."""
    from awsenv.env import server_delta
    from awsenv.shells.output import choose_dialect, emit

    dialect = choose_dialect(options.shell, options.format)
    name, region, client, answer = _register(flow, profile, options, _shell_pid())
    url = f"http://127.0.0.1:{answer['port']}{answer['path']}"
    emit(server_delta(url, answer["token"], name, region, answer["person_needed_at"]), dialect, f"{flow} --server",
         name)


ListenOpt = Annotated[str, typer.Option(
    "--listen", metavar="ADDR", help="The address the container reaches the service at (the service listens "
                                     "there too).")]


@app.command("container-env", short_help="Docker --env-file lines for a container's credentials.")
def container_env(profile: ProfileArg = None, listen: ListenOpt = CONTAINER_ADDRESS) -> None:
    """Print Docker --env-file lines that give a container PROFILE's credentials through the credential service.

    The lines set AWS_CONTAINER_CREDENTIALS_FULL_URI (http://ADDR:PORT/...) and AWS_CONTAINER_AUTHORIZATION_TOKEN, a
    token for this profile alone. ADDR must be an address of this host that the container reaches: by default
    169.254.170.2, the gateway of a Docker network made for it (docs/credential-service.md).

    Example: awsenv container-env prod > prod.env && docker run --network awsenv-net --env-file prod.env IMAGE
    """
    options = CredentialOptions(None, None, None, None, None, False, None, False, False, False)
    name, region, client, answer = _register("export", profile, options, None)
    port = client.call("listen", address=listen)["port"]
    lines = [f"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://{listen}:{port}{answer['path']}",
             f"AWS_CONTAINER_AUTHORIZATION_TOKEN={answer['token']}"]
    if region:
        lines += [f"AWS_REGION={region}", f"AWS_DEFAULT_REGION={region}"]
    if sys.stdout.isatty():
        say("these lines hold a token for the profile's credentials: redirect them to a private file "
            "(umask 077) for docker's --env-file")
    sys.stdout.write("".join(line + "\n" for line in lines))
