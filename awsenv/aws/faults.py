"""What went wrong on the way to STS, in words: a skewed clock, credentials expired on arrival, no connection."""

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


def unreachable(profile: str, operation: str, exc: Exception, region: str, attempts: int) -> tuple[str, str]:
    """(message, hint) for a request that got no answer from STS; botocore retried the transport errors."""
    from botocore import exceptions as bx

    kwargs = getattr(exc, "kwargs", {}) or {}
    endpoint = (kwargs.get("endpoint_url") or "the STS endpoint").rstrip("/")
    cause = str(kwargs.get("error") or "")
    tried = f" after {attempts} attempts" if isinstance(exc, (bx.ConnectionError, bx.HTTPClientError)) else ""
    hint = "check the network and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url, --region)"
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
        hint = "STS did not answer in time: try again; AWSENV_READ_TIMEOUT sets the wait in seconds"
    elif isinstance(exc, bx.ConnectionClosedError):
        what = f"the connection to {endpoint} was reset before an answer"
    elif isinstance(exc, bx.EndpointConnectionError):
        if "name or service not known" in cause.lower() or "name resolution" in cause.lower() \
                or "nodename nor servname" in cause.lower() or "getaddrinfo" in cause.lower():
            what = f"could not resolve {urlsplit(endpoint).hostname or endpoint} (DNS)"
            if not _known_region(region):
                hint = f"{region!r} is not a region STS is known in: check --region or the profile's region"
        elif "refused" in cause.lower():
            what = f"connection to {endpoint} refused"
        else:
            what = f"could not connect to {endpoint}"
    else:
        what = f"could not reach STS ({type(exc).__name__})"
    return f"profile {profile!r}: {operation} failed{tried}: {what}", hint


def _known_region(region: str) -> bool:
    try:
        import botocore.session

        session = botocore.session.get_session()
        return any(region in session.get_available_regions("sts", partition)
                   for partition in session.get_available_partitions())
    except Exception:
        return True
