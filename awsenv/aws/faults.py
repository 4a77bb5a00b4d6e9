"""What went wrong on the way to AWS, in words, for every botocore call awsenv makes: a refusal (its code, message and
attempts), a skewed clock, credentials expired on arrival, no connection. Each call site adds what to do about it."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Optional
from urllib.parse import urlsplit

# How far apart two clocks must be before awsenv blames the clock (AWS itself refuses beyond 5 minutes).
NOTABLE_SKEW = 120


def _skew(server_date: Optional[str]) -> Optional[float]:
    """Seconds this machine's clock is ahead of AWS's (negative: behind), from an answer's Date header."""
    if not server_date:
        return None
    try:
        theirs = parsedate_to_datetime(server_date)
    except (TypeError, ValueError):
        return None
    if theirs.tzinfo is None:
        theirs = theirs.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - theirs).total_seconds()


def _clock_words(skew: Optional[float]) -> tuple[str, str]:
    if skew is None or abs(skew) < NOTABLE_SKEW:
        return ("your system clock looks off; sync it (NTP)",
                "AWS accepts a request only within 5 minutes of its own clock: e.g. `sudo timedatectl set-ntp true`")
    minutes = round(abs(skew) / 60)
    way = "ahead of" if skew > 0 else "behind"
    now = datetime.now(timezone.utc)
    return (f"your system clock looks off by about {minutes} min; sync it (NTP)",
            f"this machine's clock reads {now:%Y-%m-%dT%H:%M:%SZ}, {minutes} min {way} AWS's; AWS accepts a request "
            "only within 5 minutes of its own clock: e.g. `sudo timedatectl set-ntp true`")


def clock_off(code: str, message: str, server_date: Optional[str]) -> Optional[tuple[str, str]]:
    """(message, hint) when AWS refused a request for its time, else None."""
    lowered = message.lower()
    if not (code in ("RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture")
            or (code in ("SignatureDoesNotMatch", "InvalidSignatureException")
                and ("signature expired" in lowered or "not yet current" in lowered))):
        return None
    return _clock_words(_skew(server_date))


def expired_on_arrival(profile: str, operation: str, expiration: datetime,
                       server_date: Optional[str]) -> tuple[str, str]:
    words, hint = _clock_words(_skew(server_date))
    return (f"profile {profile!r}: {operation} returned credentials that expire at "
            f"{expiration.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}, already past by this machine's clock: "
            f"{words}", hint)


# What each service is called in messages, and its own endpoint variable.
_NAMES = {"sts": ("STS", "AWS_ENDPOINT_URL_STS"), "iam": ("IAM", "AWS_ENDPOINT_URL_IAM"),
          "sso": ("IAM Identity Center", "AWS_ENDPOINT_URL_SSO"),
          "sso-oidc": ("IAM Identity Center", "AWS_ENDPOINT_URL_SSO_OIDC")}


def refusal(exc) -> tuple[str, str, int]:
    """(code, message, attempts) of a botocore ClientError: what AWS answered, after how many attempts in all."""
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    attempts = response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
    return error.get("Code", "Unknown"), error.get("Message", ""), attempts


def after(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""


def refused(profile: str, call: str, exc) -> str:
    """`profile 'p': CALL failed[ after N attempts]: CODE: MESSAGE` for a ClientError."""
    code, message, attempts = refusal(exc)
    return f"profile {profile!r}: {call} failed{after(attempts)}: {code}: {message}".rstrip(": ")


def server_date(exc) -> Optional[str]:
    """The Date header of the answer a ClientError carries (for clock_off)."""
    return (getattr(exc, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")


def otherwise(exc, service: str = "sts") -> str:
    """The hint for a refusal no call site knows better: after retries, that they ran out."""
    if refusal(exc)[2] > 1:
        return f"{_NAMES.get(service, (service,))[0]} kept refusing or failing on every retry: try again in a minute"
    return "see the AWS error above"


def unreachable(profile: str, operation: str, exc: Exception, region: Optional[str], attempts: int,
                service: str = "sts", place: Optional[str] = None, hint: Optional[str] = None) -> tuple[str, str]:
    """(message, hint) for a request that got no answer; botocore retried the transport errors. `place`: what could
    not be reached, named in the message (else it says "failed"); `hint`: what to check when the cause is no
    more specific than a failed connection."""
    from botocore import exceptions as bx

    name, variable = _NAMES.get(service, (service, "AWS_ENDPOINT_URL"))
    kwargs = getattr(exc, "kwargs", {}) or {}
    endpoint = (kwargs.get("endpoint_url") or f"the {name} endpoint").rstrip("/")
    cause = str(kwargs.get("error") or "")
    tried = after(attempts) if isinstance(exc, (bx.ConnectionError, bx.HTTPClientError)) else ""
    hint = hint or f"check the network and the {name} endpoint ({variable}, endpoint_url, --region)"
    if isinstance(exc, bx.ProxyConnectionError):
        what = f"could not connect to the proxy {kwargs.get('proxy_url', '')} (connection refused or unreachable)"
        hint = "check HTTPS_PROXY / HTTP_PROXY (and NO_PROXY), or unset them"
    elif isinstance(exc, bx.SSLError):
        what = f"TLS verification of {endpoint} failed"
        hint = "behind a TLS-inspecting proxy, point AWS_CA_BUNDLE at its CA certificate"
    elif isinstance(exc, bx.ConnectTimeoutError):
        what = f"connecting to {endpoint} timed out"
    elif isinstance(exc, bx.ReadTimeoutError):
        what = f"no answer from {endpoint} within the read timeout"
        hint = f"{name} did not answer in time: try again; AWSENV_READ_TIMEOUT sets the wait in seconds"
    elif isinstance(exc, bx.ConnectionClosedError):
        what = f"the connection to {endpoint} was reset before an answer"
    elif isinstance(exc, bx.EndpointConnectionError):
        if "name or service not known" in cause.lower() or "name resolution" in cause.lower() \
                or "nodename nor servname" in cause.lower() or "getaddrinfo" in cause.lower():
            what = f"could not resolve {urlsplit(endpoint).hostname or endpoint} (DNS)"
            if region and not _known_region(region, service):
                hint = f"{region!r} is not a region {name} is known in: check --region or the profile's region"
        elif "refused" in cause.lower():
            what = f"connection to {endpoint} refused"
        else:
            what = f"could not connect to {endpoint}"
    else:
        what = type(exc).__name__ if place else f"could not reach {name} ({type(exc).__name__})"
    return f"profile {profile!r}: {operation} {'could not reach ' + place if place else 'failed'}{tried}: {what}", hint


def _known_region(region: str, service: str) -> bool:
    try:
        from awsenv.aws import clients

        session = clients.session(None)
        return any(region in session.get_available_regions(service, partition)
                   for partition in session.get_available_partitions())
    except Exception:
        return True
