"""The one-click IAM Identity Center sign-in: OAuth authorization code with PKCE and a loopback redirect.

As the AWS CLI (2.22 and later) does it: a client registered for the `authorization_code` and `refresh_token`
grants with the redirect URI http://127.0.0.1/oauth/callback; the browser opened on the authorize URL (S256 code
challenge, a random `state`); the redirect received by a listener on 127.0.0.1 (random port); the code exchanged
with the code verifier. Which flow to use, and when to fall back to the device code, is decided here too.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import string
import time
import urllib.parse
import uuid
from typing import Callable, Mapping, Optional

from awsenv.errors import AwsError, ConfigError, Interrupted
from awsenv.model import SsoSession
from awsenv.sso.token_cache import SsoToken

TIMEOUT_VARIABLE = "AWSENV_SSO_SIGN_IN_TIMEOUT"
DEFAULT_TIMEOUT = 600  # seconds the listener waits for the browser, as the AWS CLI does
DEFAULT_SCOPE = "sso:account:access"
VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"
SSH_MARKERS = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")
CI_MARKERS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD", "CODEBUILD_BUILD_ID",
              "CODESPACES", "CLOUD_SHELL")


def device_code_reason(session: SsoSession, use_device_code: bool,
                       environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """Why this sign-in must use the device code, or None when the one-click (authorization code) sign-in fits."""
    from awsenv.sso.device import can_launch_browser

    if not session.name:
        return "the profile sets sso_start_url itself (no sso-session), which only the device code supports"
    if use_device_code:
        return "--use-device-code was given"
    for name in SSH_MARKERS:
        if environ.get(name):
            return f"this is an SSH session ({name} is set): a browser elsewhere cannot reach this machine's 127.0.0.1"
    for name in CI_MARKERS:
        if environ.get(name):
            return f"this looks like CI or a cloud shell ({name} is set)"
    if not can_launch_browser(environ):
        return "no browser can open here (no DISPLAY or WAYLAND_DISPLAY, no BROWSER)"
    return None


def timeout_seconds(environ: Mapping[str, str] = os.environ) -> int:
    raw = environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number of seconds",
                          hint=f"set it to a whole number of seconds, e.g. {DEFAULT_TIMEOUT}, or unset it")
    return value


def new_verifier() -> str:
    return "".join(secrets.choice(VERIFIER_ALPHABET) for _ in range(64))


def challenge(verifier: str) -> str:
    """S256: base64url of the verifier's SHA-256, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode("ascii").rstrip("=")


def authorize_url(base: str, client_id: str, redirect_uri: str, state: str, code_challenge: str,
                  scopes: tuple[str, ...]) -> str:
    query = [("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect_uri), ("state", state),
             ("code_challenge_method", "S256"), ("scopes", " ".join(scopes) or DEFAULT_SCOPE),
             ("code_challenge", code_challenge)]
    return f"{base.rstrip('/')}/authorize?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"


def _duration(seconds: int) -> str:
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def sign_in(oidc, profile: str, session: SsoSession, browser: bool,
            clock: Callable[[], float] = time.monotonic) -> SsoToken:
    """Register (or reuse the registration), open the browser, wait for the redirect, exchange the code."""
    from awsenv.sso import oidc as sso_oidc
    from awsenv.sso.callback import REDIRECT_URI_WITHOUT_PORT, Listener, await_answer, refusal
    from awsenv.sso.device import Display, open_browser

    limit = timeout_seconds()
    state = str(uuid.uuid4())
    verifier = new_verifier()
    try:
        listener = Listener(state)
    except OSError as exc:
        raise AwsError(f"profile {profile!r}: cannot listen on 127.0.0.1 for the browser's answer "
                       f"({exc.strerror or exc})", hint="add --use-device-code to sign in with a code instead")
    display = Display()
    finish_browser = None
    try:
        with listener:
            registration = sso_oidc.register(oidc, profile, session, REDIRECT_URI_WITHOUT_PORT)
            url = authorize_url(oidc.meta.endpoint_url, registration.client_id, listener.redirect_uri, state,
                                challenge(verifier), sso_oidc.scopes(session))
            display.say(f"awsenv: sign in to IAM Identity Center for profile {profile!r} ({session.start_url})")
            if browser:
                display.say("awsenv: opening the browser: allow access there (no code to compare)")
                display.say(f"awsenv: if no browser opens, visit {url}")
                finish_browser = open_browser(url)
            else:
                display.say("awsenv: open this URL in a browser on this machine and allow access:")
                display.say(f"  {url}")
            answer = await_answer(listener, display, limit, clock)
        if answer is None:
            raise AwsError(f"profile {profile!r}: the browser did not come back to awsenv within {_duration(limit)}; "
                           "nothing was saved",
                           hint=f"run the command again and allow access in the browser within {_duration(limit)} "
                                f"({TIMEOUT_VARIABLE} sets the wait in seconds), or add --use-device-code")
        if answer.error is not None:
            said = f" ({answer.description})" if answer.description else ""
            raise refusal(profile, answer, "run the command again") or AwsError(
                f"profile {profile!r}: IAM Identity Center did not complete the sign-in: {answer.error}{said}",
                hint="run the command again, or add --use-device-code")
        token = sso_oidc.exchange_code(oidc, profile, session, registration, answer.code or "",
                                       listener.redirect_uri, verifier)
        display.say(f"awsenv: signed in to {session.start_url} until {token.expires_at.strftime('%Y-%m-%d %H:%M:%SZ')}")
        return token
    except KeyboardInterrupt:
        raise Interrupted(f"profile {profile!r}: sign-in interrupted; nothing was saved") from None
    finally:
        if finish_browser is not None:
            finish_browser()
        display.close()

