"""A plan as the user reads it: the chain, each AWS call with its parameters, where MFA goes, and why. No I/O."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional, Sequence

from awsenv.durations import format_seconds
from awsenv.model import (READ_IN_PLACE, AssumeRole, AssumeRoleWithWebIdentity, ContainerCredentials,
                          CredentialProcess, EnvironmentKeys, GetSessionToken, InstanceMetadata, LoginSession, Plan,
                          SsoRoleCredentials, StaticKeys, Step, StoredKeys)
from awsenv.plan.checks import FLOW_WORDS



def masked_key(access_key_id: Optional[str]) -> str:
    key = access_key_id or ""
    return key[:4] + "…" + key[-4:] if len(key) > 8 else "…"


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _step_doc(step: Step, keys: dict) -> dict:
    """One step as data; `params` use the API's own parameter names (the MFA code itself is never shown)."""
    if isinstance(step, StoredKeys):
        return {"step": "StoredKeys", "profile": step.profile, "api": None, "keys": "long-lived",
                "from": "keyring", "access_key_id": keys.get(step.profile, ("…", False))[0]}
    if isinstance(step, StaticKeys):
        access_key, temporary = keys.get(step.profile, (None, False))
        return {"step": "StaticKeys", "profile": step.profile, "api": None,
                "keys": "temporary" if temporary else "long-lived", "access_key_id": masked_key(access_key)}
    source = _source_doc(step)
    if source is not None:
        return {"step": type(step).__name__, "profile": step.profile, "mfa_code": False, **source}
    if isinstance(step, SsoRoleCredentials):
        return {"step": "SsoRoleCredentials", "profile": step.profile, "api": "sso:GetRoleCredentials",
                "params": {"accountId": step.account_id, "roleName": step.role_name},
                "sso_session": step.session.name or None, "start_url": step.session.start_url, "mfa_code": False}
    params: dict = {}
    if isinstance(step, AssumeRole):
        params["RoleArn"] = step.role_arn
        params["RoleSessionName"] = step.session_name
        if step.external_id:
            params["ExternalId"] = step.external_id
        if step.source_identity:
            params["SourceIdentity"] = step.source_identity
        if step.tags:
            params["Tags"] = [{"Key": key, "Value": value} for key, value in step.tags]
        if step.transitive_tag_keys:
            params["TransitiveTagKeys"] = list(step.transitive_tag_keys)
    if step.duration is not None:
        params["DurationSeconds"] = step.duration
    if step.mfa_serial:
        params["SerialNumber"] = step.mfa_serial
    doc = {"step": type(step).__name__, "profile": step.profile, "api": f"sts:{type(step).__name__}",
           "params": params, "mfa_code": bool(step.mfa_serial)}
    if isinstance(step, AssumeRole):
        doc["chained"] = step.chained
    return doc


def _source_doc(step: Step) -> Optional[dict]:
    """The roots of awsenv/aws/sources.py: where the keys come from (`source`) and what is called (`api`)."""
    if isinstance(step, CredentialProcess):
        return {"api": "credential_process", "source": "credential_process", "command": step.command}
    if isinstance(step, EnvironmentKeys):
        return {"api": None, "source": "credential_source = Environment",
                "variables": ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]}
    if isinstance(step, InstanceMetadata):
        return {"api": "ec2-imds:iam/security-credentials", "source": "credential_source = Ec2InstanceMetadata",
                "endpoint": step.endpoint or "http://169.254.169.254 (default)"}
    if isinstance(step, ContainerCredentials):
        return {"api": "container-credentials", "source": "credential_source = EcsContainer",
                "endpoint": step.endpoint}
    if isinstance(step, AssumeRoleWithWebIdentity):
        params: dict = {"RoleArn": step.role_arn, "RoleSessionName": step.session_name}
        if step.duration is not None:
            params["DurationSeconds"] = step.duration
        return {"api": "sts:AssumeRoleWithWebIdentity", "source": "web identity token", "params": params,
                "token_file": step.token_file, "from_environment": list(step.from_environment)}
    if isinstance(step, LoginSession):
        return {"api": "signin:CreateOAuth2Token", "source": "aws login", "login_session": step.session}
    return None


def describe(plan: Plan, keys: dict, cached_until: Sequence[Optional[datetime]],
             usable: Sequence[bool]) -> dict:
    """The plan as one JSON-ready document.

    `keys` maps a StaticKeys profile to (access key id, whether it carries a session token); `cached_until[i]` is
    the expiry of step i's cache entry (None when there is none) and `usable[i]` whether it would be served now.
    """
    steps = [_step_doc(step, keys) for step in plan.steps]
    # The engine works from the target down and stops at the first step it can serve without AWS.
    will_call = [False] * len(steps)
    for index in range(len(steps) - 1, -1, -1):
        if isinstance(plan.steps[index], READ_IN_PLACE) or usable[index]:
            break
        will_call[index] = True
    for index, doc in enumerate(steps):
        doc["cached_until"] = _iso(cached_until[index])
        doc["will_call"] = will_call[index]
        if index > 0:
            doc["caller"] = _caller(plan.steps[index - 1], index)
    final = plan.steps[-1]
    return {
        "profile": plan.target,
        "flow": plan.flow,
        "region": plan.region,
        "chain": list(plan.chain),
        "steps": steps,
        "mfa_present": plan.mfa_present,
        "duration": getattr(final, "duration", None),
        "calls": [doc["api"] for doc in steps if doc["will_call"]],
        "calls_uncached": [doc["api"] for doc in steps if doc["api"]],
        "mfa_codes": sum(1 for doc in steps if doc["will_call"] and doc.get("mfa_code")),
        "notes": list(plan.notes),
        "server_renewal": server_renewal(plan, cached_until),
    }


def server_renewal(plan: Plan, cached_until: Sequence[Optional[datetime]]) -> str:
    """What `exec --server` / `shell --server` renewals will need from the user, and when."""
    from awsenv.cache.format import SERVER_MIN_TTL

    ahead = format_seconds(SERVER_MIN_TTL)
    sso = [step for step in plan.steps if isinstance(step, SsoRoleCredentials)]
    mfa = [index for index, step in enumerate(plan.steps) if getattr(step, "mfa_serial", None)]
    if not mfa:
        if sso:
            return ("renewals need no MFA code; when the IAM Identity Center sign-in of profile "
                    f"{sso[0].profile} ends, they need a new sign-in (browser)")
        return "renewals need no MFA code"
    index = mfa[-1]
    step = plan.steps[index]
    if step.mfa_process:
        source = "mfa_process gives it"
    elif step.mfa_prompt == "terminal":
        source = ("asked on the terminal while awsenv holds it (exec --server), else the command gets HTTP 503 "
                  "errors until a new session is opened (set mfa_process to avoid that)")
    else:
        source = ("asked on the terminal while awsenv holds it (exec --server), else in a desktop dialog ("
                  + (step.mfa_prompt or "zenity or kdialog, osascript on macOS") + ") when a display is there, "
                  "else the command gets HTTP 503 errors until a new session is opened (set mfa_process to avoid "
                  "that)")
    length = format_seconds(step.duration) if step.duration else "the STS default duration"
    if index == len(plan.steps) - 1:
        return f"every renewal needs a new MFA code for {step.mfa_serial} (every {length}); {source}"
    until = cached_until[index]
    ends = (f"at {_iso(until)}" if until is not None and until > datetime.now(timezone.utc)
            else f"{length} after its code")
    return (f"renewals reuse the MFA session of step {index + 1}, which ends {ends}; a new MFA code for "
            f"{step.mfa_serial} is needed {ahead} before that; {source}")


def _caller(previous: Step, index: int) -> str:
    if isinstance(previous, StoredKeys):
        return f"the keys of profile {previous.profile} from the keyring"
    if isinstance(previous, StaticKeys):
        return f"the keys of profile {previous.profile}"
    if isinstance(previous, EnvironmentKeys):
        return "the keys in the environment"
    if isinstance(previous, CredentialProcess):
        return f"the credentials of {previous.profile}'s credential_process (step {index})"
    if isinstance(previous, (InstanceMetadata, ContainerCredentials)):
        return f"the {'instance' if isinstance(previous, InstanceMetadata) else 'container'} role's credentials " \
               f"(step {index})"
    if isinstance(previous, GetSessionToken):
        return f"the MFA session of step {index}" if previous.mfa_serial else f"the session of step {index}"
    return f"the credentials of step {index}"


def render_text(doc: dict) -> str:
    lines = [f"profile {doc['profile']}: {FLOW_WORDS.get(doc['flow'], doc['flow'])}"
             + (f", region {doc['region']}" if doc["region"] else ", no region"),
             "chain: " + " -> ".join(doc["chain"])]
    for number, step in enumerate(doc["steps"], start=1):
        lines.append(f"  {number}. {_step_line(step)}")
        if step["api"]:
            action = "will run it" if step["api"] == "credential_process" else "will call AWS"
            state = (f"cached until {step['cached_until']}" if step["cached_until"] and not step["will_call"]
                     else action + (f" (cache entry expired {step['cached_until']})"
                                             if step["cached_until"] else ""))
            lines.append(f"     {state}")
    lines.append("aws:MultiFactorAuthPresent: " + ("true" if doc["mfa_present"] else "false (no MFA on the way)"))
    if doc["calls"]:
        codes = doc["mfa_codes"]
        lines.append("now: " + ", ".join(doc["calls"])
                     + (f"; asks for {codes} MFA code{'s' if codes != 1 else ''}" if codes else "; no MFA code"))
    else:
        lines.append("now: no AWS call (everything needed is cached)")
    if doc.get("server_renewal"):
        lines.append("with --server: " + doc["server_renewal"])
    if doc["notes"]:
        lines.append("why:")
        lines.extend(f"  - {note}" for note in doc["notes"])
    return "\n".join(lines) + "\n"


_SOURCE_LINES = {
    "CredentialProcess": lambda s: f"{s['profile']}: runs its credential_process `{s['command']}` (no shell; cached "
                                   "until its Expiration, never without one)",
    "EnvironmentKeys": lambda s: f"{s['profile']}: keys from the environment (credential_source = Environment: "
                                 "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), no call",
    "InstanceMetadata": lambda s: f"{s['profile']}: the EC2 instance role's credentials from IMDSv2 at "
                                  f"{s['endpoint']} (credential_source = Ec2InstanceMetadata)",
    "ContainerCredentials": lambda s: f"{s['profile']}: the container role's credentials from {s['endpoint']} "
                                      "(credential_source = EcsContainer)",
    "AssumeRoleWithWebIdentity": lambda s: (
        f"sts:AssumeRoleWithWebIdentity for {s['profile']}: {s['params']['RoleArn']} with the token in "
        f"{s['token_file']} (read afresh each call), session name {s['params']['RoleSessionName']}, "
        + (format_seconds(s['params']['DurationSeconds']) if 'DurationSeconds' in s['params']
           else "STS default duration")
        + (f"; from {', '.join(s['from_environment'])}" if s['from_environment'] else "")),
    "LoginSession": lambda s: f"{s['profile']}: the `aws login` session {s['login_session']} (its cached "
                              "credentials; signin:CreateOAuth2Token refreshes them when due)",
}


def _step_line(step: dict) -> str:
    if step["step"] == "StoredKeys":
        return f"{step['profile']}: long-lived keys from the keyring {step['access_key_id']}, no call"
    if step["step"] in _SOURCE_LINES:
        return _SOURCE_LINES[step["step"]](step)
    if step["step"] == "StaticKeys":
        kind = "temporary keys (with aws_session_token)" if step["keys"] == "temporary" else "long-lived keys"
        return f"{step['profile']}: {kind} {step['access_key_id']}, no call"
    if step["step"] == "SsoRoleCredentials":
        where = f"sso-session {step['sso_session']}" if step["sso_session"] else step["start_url"]
        return (f"sso:GetRoleCredentials for {step['profile']}: account {step['params']['accountId']}, role "
                f"{step['params']['roleName']}, with the SSO sign-in of {where} (browser sign-in if it has expired)")
    params = step["params"]
    parts = [f"{step['api']} for {step['profile']}"]
    if "RoleArn" in params:
        parts.append(params["RoleArn"])
    parts.append(f"as {step['caller']}")
    if "ExternalId" in params:
        parts.append(f"external_id {params['ExternalId']}")
    if "RoleSessionName" in params:
        parts.append(f"session name {params['RoleSessionName']}")
    if "SourceIdentity" in params:
        parts.append(f"source identity {params['SourceIdentity']}")
    if "Tags" in params:
        transitive = {key.casefold() for key in params.get("TransitiveTagKeys", [])}
        parts.append("session tags {" + ", ".join(
            f"{tag['Key']}={tag['Value']}" + (" (transitive)" if tag["Key"].casefold() in transitive else "")
            for tag in params["Tags"]) + "}")
    duration = params.get("DurationSeconds")
    parts.append(format_seconds(duration) if duration else "STS default duration")
    parts.append(f"MFA code for {params['SerialNumber']}" if step["mfa_code"] else "no MFA code")
    if step.get("chained"):
        parts.append("role chaining (1h at most)")
    return ", ".join(parts)
