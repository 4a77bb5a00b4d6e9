"""Every botocore client awsenv makes (STS, IAM, SSO, SSO-OIDC, and those botocore's own credential fetchers ask
for): the profile's settings (endpoint_url, AWS_ENDPOINT_URL_*, services), one retry policy and the timeouts.

The retry policy: 3 attempts in all, the first included, in botocore's standard mode (throttling, 5xx and dropped
connections retried with jittered backoff). It is set here, not left to AWS_RETRY_MODE / AWS_MAX_ATTEMPTS: botocore's
default is still "legacy". Note botocore's `max_attempts` counts retries after the first try; `total_max_attempts`
counts them all.
"""

from __future__ import annotations

import os
from typing import Callable, Optional

from awsenv.errors import UsageError
from awsenv.model import Credentials

_loader: tuple = (None, None)  # (data path, botocore loader): what the last session read through

DEFAULT_REGION = "us-east-1"  # where STS and IAM are called when neither --region nor the profile names a region
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15


def read_timeout(environ=os.environ) -> float:
    """Seconds to wait for the answer to one attempt: AWSENV_READ_TIMEOUT, else 15."""
    raw = environ.get("AWSENV_READ_TIMEOUT")
    try:
        value = float(raw) if raw else READ_TIMEOUT
    except ValueError:
        value = -1.0
    if not 0 < value < 3600:
        raise UsageError(f"AWSENV_READ_TIMEOUT={raw!r} is not a number of seconds (0 < s < 3600)")
    return value


def session(profile: Optional[str]):
    """A botocore session with the profile's settings (endpoints, services); a profile known only to awsenv's key
    index (keys stored with `awsenv keys`, no section in the files), or none, gets the defaults. $AWS_PROFILE never
    selects another profile: awsenv names the profile itself."""
    import botocore.session

    # Not read from $AWS_PROFILE at all: a profile it names that does not exist would fail every lookup.
    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    if profile and profile in session.available_profiles:
        session.set_config_variable("profile", profile)
    return _with_shared_loader(session)


def _with_shared_loader(session):
    """`session` reading botocore's data (endpoints, partitions, service models) through the loader the previous
    session used, when both have the same data path (AWS_DATA_PATH / data_path). The loader keeps what it parsed: a
    fresh one per session parses endpoints.json and the service model again, which made every client after a
    chain's first, and every renewal of a long-running server, cost four times what it needs."""
    global _loader
    path = session.get_config_variable("data_path")
    path_of, loader = _loader
    if loader is None or path_of != path:
        from botocore.loaders import create_loader

        loader = create_loader(path)
        _loader = (path, loader)
    session.register_component("data_loader", loader)
    return session


def config(**settings):
    """awsenv's client settings (retries, timeouts), with `settings` (e.g. signature_version) added."""
    from botocore.config import Config

    return Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=read_timeout(),
                  retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}, **settings)


def client(service: str, profile: Optional[str], region: Optional[str], creds: Optional[Credentials] = None,
           unsigned: bool = False):
    """A client of `service` in `region` (else us-east-1), signed with `creds` (always passed explicitly: no
    credential lookup), or unsigned (the SSO APIs, which take a token instead)."""
    settings: dict = {}
    if unsigned:
        from botocore import UNSIGNED

        settings["signature_version"] = UNSIGNED
    keys = {} if creds is None else {"aws_access_key_id": creds.access_key_id,
                                     "aws_secret_access_key": creds.secret_access_key,
                                     "aws_session_token": creds.session_token}
    return session(profile).create_client(service, region_name=region or DEFAULT_REGION, config=config(**settings),
                                          **keys)


def creator(botocore_session, region: Optional[str] = None) -> Callable:
    """A `client_creator` for botocore's credential fetchers and providers: clients of `botocore_session` with the
    settings the fetcher asks for (e.g. unsigned) on top of awsenv's; `region`, when given, unless it names one."""
    def create(service: str, **kwargs):
        asked = kwargs.pop("config", None)
        if region is not None:
            kwargs.setdefault("region_name", region)
        return botocore_session.create_client(service, config=config() if asked is None else config().merge(asked),
                                              **kwargs)

    return create
