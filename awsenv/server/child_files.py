"""Which AWS config files a command under the credential server reads.

An SDK looks at the `[default]` profile before the container endpoint (botocore's order: environment, assume-role,
web identity, SSO, the credentials file, login, credential_process, config-file keys, ..., container). A `[default]`
that yields credentials in any of these ways would shadow the server, so for such a file the command gets a
replacement in a private directory instead, and awsenv says so:
- the credentials file: a path that does not exist (no copy of anyone's keys is written);
- the config file: a `[default]` holding only the region.
A file whose `[default]` yields nothing is left as it is, so the command keeps every other setting and profile.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

from awsenv.config.profiles import config_path, credentials_path
from awsenv.env import CONFIG_FILE, SHARED_CREDENTIALS_FILE

# Any one of these in [default] makes an SDK use that profile instead of the server.
CREDENTIAL_SETTINGS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_arn",
                       "credential_source", "credential_process", "web_identity_token_file", "sso_session",
                       "sso_start_url", "sso_account_id", "sso_role_name", "login_session")


def _default_section(path: str, config_file: bool) -> dict:
    from awsenv.config.ini_read import sections as read_sections
    from awsenv.errors import ConfigError

    try:
        sections = read_sections(path)
    except ConfigError:  # a file the command's SDK cannot read either: nothing in it shadows the server
        return {}
    default = dict(sections.get("default") or {})
    if config_file:
        default.update(sections.get("profile default") or {})
    return default


def _shadows(section: Mapping) -> list[str]:
    return [key for key in CREDENTIAL_SETTINGS if section.get(key)]


def private_files(directory: str, region: Optional[str], environ: Mapping[str, str] = os.environ
                  ) -> tuple[dict[str, str], list[str]]:
    """The variables pointing the command at replacement files (written into `directory`), and what they replace."""
    from awsenv.files import write_atomic

    variables: dict[str, str] = {}
    notes = []
    cred_path, cfg_path = credentials_path(environ), config_path(environ)
    found = _shadows(_default_section(cred_path, False))
    if found:
        variables[SHARED_CREDENTIALS_FILE] = os.path.join(directory, "credentials")  # never created
        notes.append(f"{cred_path} ([default] has {', '.join(found)})")
    found = _shadows(_default_section(cfg_path, True))
    if found:
        replacement = os.path.join(directory, "config")
        write_atomic(replacement, ("[default]\n" + (f"region = {region}\n" if region else "")).encode())
        variables[CONFIG_FILE] = replacement
        notes.append(f"{cfg_path} ([default] has {', '.join(found)})")
    return variables, notes
