"""An AWS_DATA_PATH directory that sends the Debian AWS CLI 2.9 to local servers.

CLI 2.9 ignores AWS_ENDPOINT_URL_* and endpoint_url; it resolves endpoints from each service's
endpoint-rule-set-1.json and reads extra data directories from AWS_DATA_PATH first. One rule with no
conditions sends every request for the service to the given URL.
"""

from __future__ import annotations

import json
from pathlib import Path

API_VERSIONS = {"sso": "2019-06-10", "sso-oidc": "2019-06-10", "sts": "2011-06-15"}


def endpoint_rules(url: str) -> dict:
    return {
        "version": "1.0",
        "parameters": {"Region": {"builtIn": "AWS::Region", "required": False, "documentation": "region",
                                  "type": "String"}},
        "rules": [{"conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}}, "type": "endpoint"}],
    }


def write_data_path(root: Path, urls: dict[str, str]) -> Path:
    """`urls`: service name (sso, sso-oidc, sts) -> endpoint URL. Returns the directory for AWS_DATA_PATH."""
    for service, url in urls.items():
        folder = root / service / API_VERSIONS[service]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "endpoint-rule-set-1.json").write_text(json.dumps(endpoint_rules(url)))
    return root
