"""IAM Identity Center role credentials for a plan step: the sign-in, the account and role, GetRoleCredentials.

A token the portal refuses is dropped and one new sign-in is tried; a second refusal is reported, never looped.
When the profile leaves out sso_account_id or sso_role_name, the choices are listed and picked on the terminal;
without a terminal the command fails (exit 2) and lists them.
"""

from __future__ import annotations

from typing import Callable

from awsenv.errors import ConfigError
from awsenv.model import Credentials, SsoRoleCredentials, SsoSession
from awsenv.sso.login import access_token
from awsenv.sso.portal import TokenRejected
from awsenv.sso.token_cache import SsoToken
from awsenv.terminal import Terminal

MAX_LISTED = 20  # choices named in an error message


def role_credentials(step: SsoRoleCredentials, options, cache, log: Callable[[str], None]) -> Credentials:
    """What the engine calls for an SsoRoleCredentials step (`cache` is awsenv's; the token cache is the AWS CLI's)."""
    browser = getattr(options, "browser", True)
    device_code = getattr(options, "use_device_code", False)
    sign_in = not getattr(options, "unattended", False)
    token = access_token(step.profile, step.session, browser, log, use_device_code=device_code, sign_in=sign_in)
    try:
        return _with_token(step, token)
    except TokenRejected:
        log(f"IAM Identity Center no longer accepts the saved sign-in for profile {step.profile!r}: signing in again")
    token = access_token(step.profile, step.session, browser, log, reject=token.access_token,
                         use_device_code=device_code, sign_in=sign_in)
    return _with_token(step, token)


def login(profile: str, session: SsoSession, browser: bool, force: bool, log: Callable[[str], None],
          use_device_code: bool = False) -> SsoToken:
    """`awsenv login`: make sure there is a valid token (refresh or sign in), like `aws sso login`."""
    return access_token(profile, session, browser, log, force=force, use_device_code=use_device_code)


def _with_token(step: SsoRoleCredentials, token: SsoToken) -> Credentials:
    from awsenv.sso import portal as sso_portal

    account = step.account_id or _choose_account(step, token)
    role = step.role_name or _choose_role(step, token, account)
    return sso_portal.role_credentials(step.profile, step.session, token.access_token, account, role)


def _choose_account(step: SsoRoleCredentials, token: SsoToken) -> str:
    from awsenv.sso import portal as sso_portal

    found = sso_portal.accounts(step.profile, step.session, token.access_token)
    labels = [(account, f"{account}  {name}".rstrip()) for account, name in found]
    return _pick(step.profile, "sso_account_id", "account", labels)


def _choose_role(step: SsoRoleCredentials, token: SsoToken, account: str) -> str:
    from awsenv.sso import portal as sso_portal

    found = sso_portal.roles(step.profile, step.session, token.access_token, account)
    return _pick(step.profile, "sso_role_name", f"role in account {account}", [(r, r) for r in found])


def _pick(profile: str, key: str, what: str, choices: list[tuple[str, str]]) -> str:
    if not choices:
        raise ConfigError(f"profile {profile!r} has no {key}, and this sign-in has no {what} to choose from",
                          hint="ask your administrator for an assignment in IAM Identity Center")
    terminal = Terminal.open()
    if terminal is None:
        listed = ", ".join(label for _, label in choices[:MAX_LISTED])
        more = f" (and {len(choices) - MAX_LISTED} more)" if len(choices) > MAX_LISTED else ""
        raise ConfigError(f"profile {profile!r} has no {key}; the sign-in offers {len(choices)} "
                          f"{what} choice(s): {listed}{more}",
                          hint=f"set {key} in [profile {profile}], or run the command on a terminal to pick one")
    with terminal:
        if len(choices) == 1:
            terminal.write(f"Using the only {what}: {choices[0][1]}\n")
            chosen = choices[0][0]
        else:
            chosen = terminal.choose(what, choices)
        terminal.write(f"(add `{key} = {chosen}` to [profile {profile}] to skip this question)\n")
        return chosen
