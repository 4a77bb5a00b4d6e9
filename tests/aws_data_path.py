"""Point the Debian AWS CLI v2 at local test servers.

CLI 2.9 ignores AWS_ENDPOINT_URL_* (and, for the calls it makes while resolving a profile, --endpoint-url too),
but it reads extra model data from the directories in AWS_DATA_PATH. An endpoint rule set there that always
answers with one URL sends every call of that service to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

API_VERSIONS = {"sts": "2011-06-15", "sso": "2019-06-10", "sso-oidc": "2019-06-10"}


def endpoint_rules(url: str) -> dict:
    return {
        "version": "1.0",
        "parameters": {"Region": {"builtIn": "AWS::Region", "required": False, "documentation": "region",
                                  "type": "String"}},
        "rules": [{"conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}}, "type": "endpoint"}],
    }


def aws_data_path(directory: Path, endpoints: Mapping[str, str]) -> str:
    """Write rule sets sending each service in `endpoints` ({"sts": url, ...}) to its URL; the AWS_DATA_PATH value."""
    for service, url in endpoints.items():
        target = directory / service / API_VERSIONS[service]
        target.mkdir(parents=True, exist_ok=True)
        (target / "endpoint-rule-set-1.json").write_text(json.dumps(endpoint_rules(url)))
    return str(directory)
