"""One console-credentials sign-in, as `aws login` does it: OAuth authorization code with PKCE at the sign-in
service, then CreateOAuth2Token with a DPoP proof, giving 15-minute credentials, a refresh token and an id token
whose subject is the signed-in principal (the session's name).

Same device (the default): the browser is opened on <endpoint>/v1/authorize (client
arn:aws:signin:::devtools/same-device, scope openid, code_challenge_method SHA-256, a uuid4 state) and comes back to
a listener on 127.0.0.1 (the IAM Identity Center sign-in's, with its state check). `--remote` (client
…/cross-device): the URL is printed, the browser ends on <endpoint>/v1/sessions/confirmation, which shows a code
(base64 of `state=…&code=…`) that the user pastes into this terminal.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from awsenv.errors import AwsError, Interrupted, UsageError
from awsenv.sso.callback import Answer, refusal
from awsenv.sso.console_dpop import ProofKey
from awsenv.sso.console_cache import TIME_FORMAT

SAME_DEVICE = "arn:aws:signin:::devtools/same-device"
CROSS_DEVICE = "arn:aws:signin:::devtools/cross-device"
CONFIRMATION_PATH = "/v1/sessions/confirmation"
SERVICE = "AWS sign-in"
_PRINCIPAL = re.compile(r"arn:aws[a-z-]*:(iam|sts)::(\d{12}):\S+")


@dataclass(frozen=True)
class SignedIn:
    session: str  # the principal's ARN: the profile's login_session, and the cache file's name
    token: dict = field(repr=False)  # the cache file's content


def authorize_url(base: str, client_id: str, state: str, code_challenge: str, redirect_uri: str) -> str:
    query = [("response_type", "code"), ("client_id", client_id), ("state", state),
             ("code_challenge_method", "SHA-256"), ("scope", "openid"), ("redirect_uri", redirect_uri),
             ("code_challenge", code_challenge)]
    return f"{base}/v1/authorize?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"


def parse_pasted(text: str) -> tuple[str, str]:
    """The code and state from what the confirmation page showed (base64 of `state=…&code=…`)."""
    cleaned = "".join(text.split())
    try:
        decoded = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ValueError("it is not the code the page shows (not base64)") from None
    values = dict(urllib.parse.parse_qsl(decoded))
    if not values.get("code") or not values.get("state"):
        raise ValueError("it holds no code and state")
    return values["code"], values["state"]


def principal(id_token: str) -> str:
    """The `sub` claim of the id token: the ARN of who signed in. (The token comes straight from the service over
    the token call; its signature is not what awsenv relies on.)"""
    parts = id_token.split(".")
    if len(parts) != 3:
        raise ValueError("the id token is not a JWT")
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        raise ValueError("the id token's claims are unreadable") from None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(subject, str) or not _PRINCIPAL.fullmatch(subject):
        raise ValueError("the id token names no IAM principal")
    return subject


def account_of(arn: str) -> str:
    return arn.split(":")[4]


def sign_in(signin, profile: str, region: str, remote: bool, browser: bool, timeout: int,
            clock: Callable[[], float] = time.monotonic) -> SignedIn:
    """Run one sign-in to its end; nothing is written here. `signin` is the botocore client (awsenv.aws.signin)."""
    from awsenv.aws import signin as aws_signin
    from awsenv.sso import pkce
    from awsenv.sso.device import Display

    base = aws_signin.base_url(signin)
    state = str(uuid.uuid4())
    verifier = pkce.new_verifier()
    key = ProofKey.generate()  # a new key for every sign-in: the session is bound to it
    display = Display()
    try:
        if remote:
            client_id, redirect_uri, code = _remote(base, profile, state, pkce.challenge(verifier), display)
        else:
            client_id = SAME_DEVICE
            redirect_uri, code = _same_device(base, profile, state, pkce.challenge(verifier), browser, timeout,
                                              clock, display)
        request = {"clientId": client_id, "grantType": "authorization_code", "code": code,
                   "codeVerifier": verifier, "redirectUri": redirect_uri}
        output = aws_signin.create_token(signin, profile, request, key.proof)
    except KeyboardInterrupt:
        raise Interrupted(f"profile {profile!r}: sign-in interrupted; nothing was saved") from None
    finally:
        display.close()
    try:
        session = principal(str(output.get("idToken") or ""))
    except ValueError as exc:
        raise AwsError(f"profile {profile!r}: the sign-in service's answer does not say who signed in ({exc}); "
                       "nothing was saved", hint="run the command again") from None
    expires = datetime.now(timezone.utc) + timedelta(seconds=output["expiresIn"])
    keys = output["accessToken"]
    token = {"accessToken": {"accessKeyId": keys["accessKeyId"], "secretAccessKey": keys["secretAccessKey"],
                             "sessionToken": keys["sessionToken"], "accountId": account_of(session),
                             "expiresAt": expires.strftime(TIME_FORMAT)},
             "tokenType": output.get("tokenType") or "aws_sigv4", "clientId": client_id,
             "refreshToken": output["refreshToken"], "idToken": output["idToken"], "dpopKey": key.pem(),
             "signInRegion": region}
    return SignedIn(session, token)


def _same_device(base: str, profile: str, state: str, challenge: str, browser: bool, timeout: int,
                 clock: Callable[[], float], display) -> tuple[str, str]:
    from awsenv.sso.callback import Listener, await_answer
    from awsenv.sso.device import can_launch_browser, open_browser

    try:
        listener = Listener(state, service=SERVICE)
    except OSError as exc:
        raise AwsError(f"profile {profile!r}: cannot listen on 127.0.0.1 for the browser's answer "
                       f"({exc.strerror or exc})", hint=f"add --remote: `awsenv login {profile} --remote`")
    finish_browser = None
    try:
        with listener:
            url = authorize_url(base, SAME_DEVICE, state, challenge, listener.redirect_uri)
            display.say(f"awsenv: sign in to AWS with your console credentials for profile {profile!r}")
            if browser and can_launch_browser():
                display.say("awsenv: opening the browser: sign in there and allow access")
                display.say(f"awsenv: if no browser opens, visit {url}")
                finish_browser = open_browser(url)
            else:
                display.say("awsenv: open this URL in a browser on this machine and allow access "
                            "(on another machine, use --remote):")
                display.say(f"  {url}")
            answer = await_answer(listener, display, timeout, clock)
    finally:
        if finish_browser is not None:
            finish_browser()
    if answer is None:
        raise AwsError(f"profile {profile!r}: the browser did not come back to awsenv within {timeout} s; "
                       "nothing was saved",
                       hint="run the command again and allow access in the browser in time "
                            "(AWSENV_SSO_SIGN_IN_TIMEOUT sets the wait in seconds), or add --remote")
    if answer.error is not None:
        raise _refused_in_browser(profile, answer)
    return listener.redirect_uri, answer.code or ""


def _remote(base: str, profile: str, state: str, challenge: str, display) -> tuple[str, str, str]:
    from awsenv.terminal import Terminal

    terminal = Terminal.open()
    if terminal is None:
        raise UsageError(f"profile {profile!r}: `awsenv login --remote` needs a terminal to paste the code into",
                         hint=f"run `awsenv login {profile} --remote` in a terminal")
    redirect_uri = base + CONFIRMATION_PATH
    url = authorize_url(base, CROSS_DEVICE, state, challenge, redirect_uri)
    with terminal:
        display.say(f"awsenv: sign in to AWS with your console credentials for profile {profile!r}: open this URL "
                    "in a browser on any device, sign in, and allow access:")
        display.say(f"  {url}")
        for _ in range(3):
            pasted = terminal.ask("Paste the code the browser shows: ")
            if not pasted:
                raise AwsError(f"profile {profile!r}: no code was pasted; nothing was saved",
                               hint=f"run `awsenv login {profile} --remote` again")
            try:
                code, returned = parse_pasted(pasted)
            except ValueError as exc:
                terminal.write(f"That is not the code: {exc}. Copy the whole code from the browser page.\n")
                continue
            if not hmac.compare_digest(returned.encode(), state.encode()):
                raise _refused_in_browser(profile, Answer(error="state_mismatch"))
            return CROSS_DEVICE, redirect_uri, code
    raise AwsError(f"profile {profile!r}: no valid code was pasted; nothing was saved",
                   hint=f"run `awsenv login {profile} --remote` again and paste the code the page shows")



def _refused_in_browser(profile: str, answer: Answer) -> AwsError:
    said = f" ({answer.description})" if answer.description else ""
    return refusal(profile, answer, f"run `awsenv login {profile}` again") or AwsError(
        f"profile {profile!r}: the sign-in was not completed: {answer.error}{said}; nothing was saved",
        hint=f"run `awsenv login {profile}` again")
