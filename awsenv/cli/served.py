"""`exec --server` and `shell --server`: the command gets a loopback credential server instead of keys.

The order matters: the first credentials are fetched before anything starts (a prompt, a browser sign-in or an AWS
refusal reaches the user as for `exec`, and nothing runs on failure); then the signals are held, the server and its
renewal start, the command runs with awsenv as its parent, and the server stops the moment the command ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Callable, Mapping, Optional, Sequence

from awsenv.cli.options import CredentialOptions
from awsenv.terminal import say


def _terminal_is_ours() -> bool:
    """Whether awsenv's process group holds the terminal (reading it from the background would stop awsenv)."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


class _Prompting:
    """The first MFA code may always be asked for; later ones only while awsenv holds the terminal (exec), never
    under an interactive subshell, which reads the same terminal."""

    def __init__(self, later: bool) -> None:
        self.started = False
        self.later = later

    def __call__(self) -> bool:
        if not self.started:
            return True
        if self.later and _terminal_is_ours():
            say("renewing the credentials of the running command takes a new MFA code")
            return True
        return False


def _renewal(flow: str, profile: Optional[str], options: CredentialOptions, prompting: _Prompting):
    from awsenv.config import profiles as aws_config
    from awsenv.cli.flows import profile_or_pick
    from awsenv.resolve import notes
    from awsenv.resolve.engine import Engine, FlowOptions
    from awsenv.errors import ConfigError, UsageError
    from awsenv.resolve.obtain import open_cache
    from awsenv.resolve.mfa import validate_code
    from awsenv.model import SsoRoleCredentials
    from awsenv.plan.rules import resolve_plan
    from awsenv.cache.format import server_min_ttl
    from awsenv.server.renewal import Renewal

    if options.write_profile is not None:
        raise UsageError("--write-profile does not go with --server: the command gets no keys to write",
                         hint="leave out one of the two")
    if options.mfa_code is not None:
        validate_code(options.mfa_code)
    name = profile_or_pick(profile, flow)
    wanted = server_min_ttl(os.environ)
    config = aws_config.load()
    plan = resolve_plan(config, name, "export", options.duration, options.region)
    for step in plan.steps:
        if isinstance(step, SsoRoleCredentials) and not (step.account_id and step.role_name):
            raise ConfigError(f"profile {step.profile!r} leaves the SSO account or role to be picked each time, "
                              "which a renewal in the background cannot do",
                              hint=f"set sso_account_id and sso_role_name in [profile {step.profile}]")
    cache = None if options.no_cache else open_cache()
    engine = Engine(config, FlowOptions(mfa_code=options.mfa_code, min_ttl=wanted, browser=not options.no_browser,
                                        may_prompt=prompting), cache)
    told = notes.tell(engine, plan, say) if not engine.is_cached(plan) else (lambda: None)

    def fetch(min_ttl: float):
        engine.options.min_ttl = min_ttl
        return engine.credentials(plan)

    renewal = Renewal(name, fetch, wanted, say)
    renewal.first()
    told()
    return name, plan.region, renewal


def _serve(name: str, region: Optional[str], renewal, argv: Sequence[str], extra_env: Mapping[str, str],
           prompting: _Prompting, environ: Mapping[str, str] = os.environ) -> int:
    from awsenv.server.endpoint import CredentialServer
    from awsenv.env import apply, server_delta
    from awsenv.shells.process import starting
    from awsenv.server.child_files import private_files
    from awsenv.server.supervise import signals_held, spawn, wait

    directory = tempfile.mkdtemp(prefix="awsenv-server-")
    try:
        files, replaced = private_files(directory, region, environ)
        if replaced:
            say("the [default] profile would give the command other credentials than the server's, so it reads "
                "no-credential replacements of: " + "; ".join(replaced))
        with signals_held():  # before any thread starts: they inherit the mask
            server = CredentialServer(renewal.supply)
            env = apply({**server_delta(server.url, server.token, name, region), **files}, environ)
            env.update(extra_env)
            server.start()
            try:
                renewal.start()
                prompting.started = True
                with starting(argv):
                    pid = spawn(argv, env)
                return wait(pid)
            finally:
                renewal.stop()
                server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def exec_served(profile: Optional[str], command: Sequence[str], options: CredentialOptions,
                announce: Callable[[str], None]) -> int:
    prompting = _Prompting(later=True)
    name, region, renewal = _renewal("exec", profile, options, prompting)
    announce(name)
    return _serve(name, region, renewal, command, {}, prompting)


def shell_served(profile: Optional[str], shell: str, path: str, options: CredentialOptions,
                 announce: Callable[[str], None]) -> int:
    from awsenv.shells.process import subshell_recipe

    prompting = _Prompting(later=False)
    name, region, renewal = _renewal("shell", profile, options, prompting)
    announce(name)
    with subshell_recipe(shell, path, name) as recipe:
        return _serve(name, region, renewal, recipe.argv, recipe.env, prompting)
