"""`awsenv eks kubeconfig PROFILE --cluster NAME`: one cluster, one user and one context in a kubeconfig, the user
getting its token from `awsenv eks token`.

The file is `--kubeconfig PATH`, else the first file of $KUBECONFIG, else ~/.kube/config (as kubectl writes). Every
other entry, the current context (unless --set-current) and the file's mode stay as they were; the file is replaced
atomically under awsenv's edit lock, read and written round-trip so the file's comments stay too. The three entries are all named after the context: --alias, else
PROFILE@CLUSTER. The cluster's endpoint and CA come from EKS DescribeCluster (awsenv.aws.eks), or from --endpoint
and --certificate-authority without any call to AWS.
"""

from __future__ import annotations

import base64
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from typing import Callable, Optional

from awsenv.errors import ConfigError, UsageError
from awsenv.terminal import say

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


@dataclass
class ClusterEntry:
    name: str  # of the context, the cluster and the user alike
    server: str
    certificate_authority_data: str  # base64 of the PEM
    exec_command: str
    exec_args: list


def kubeconfig_path(option: Optional[str], environ=os.environ) -> str:
    if option:
        return os.path.abspath(os.path.expanduser(option))
    for part in (environ.get("KUBECONFIG") or "").split(os.pathsep):
        if part:
            return os.path.abspath(os.path.expanduser(part))
    return os.path.join(os.path.expanduser("~"), ".kube", "config")


def token_args(profile: str, cluster: str, region: Optional[str]) -> list:
    return ["eks", "token", profile, "--cluster", cluster] + (["--region", region] if region else [])


def awsenv_command() -> str:
    """`awsenv` when that name on PATH is this program, else this program's full path (kubectl runs it later)."""
    running = os.path.realpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    on_path = shutil.which("awsenv")
    if on_path and running and os.path.realpath(on_path) == running:
        return "awsenv"
    return running if running and os.access(running, os.X_OK) else "awsenv"


def read_certificate_authority(path: str) -> str:
    """A PEM file's content as base64 (what `certificate-authority-data` holds)."""
    try:
        with open(os.path.expanduser(path), "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise UsageError(f"--certificate-authority {path}: {exc.strerror or exc}") from None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise UsageError(f"--certificate-authority {path} is not a PEM certificate",
                         hint="give the cluster's CA certificate in PEM form (-----BEGIN CERTIFICATE-----)")
    return base64.b64encode(data).decode()


def check_endpoint(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise UsageError(f"--endpoint {url!r} is not an https:// URL",
                         hint="give the cluster's API server URL, e.g. https://ABCD.gr7.eu-west-1.eks.amazonaws.com")
    return url


def merged(document: dict, entry: ClusterEntry, set_current: bool) -> tuple[dict, bool]:
    """The kubeconfig `document` with `entry`'s cluster, user and context added or replaced in place (the other
    entries, their order, their comments and every other key kept); whether the current context was set."""
    out = document
    out.setdefault("apiVersion", "v1")
    out.setdefault("kind", "Config")
    named = {
        "clusters": {"cluster": {"server": entry.server,
                                 "certificate-authority-data": entry.certificate_authority_data}},
        "users": {"user": {"exec": {"apiVersion": EXEC_API_VERSION, "command": entry.exec_command,
                                    "args": list(entry.exec_args), "interactiveMode": "IfAvailable",
                                    "provideClusterInfo": False}}},
        "contexts": {"context": {"cluster": entry.name, "user": entry.name}},
    }
    for section, body in named.items():
        items = out.get(section)
        if items is None:
            items = out[section] = []
        if not isinstance(items, list):
            raise ConfigError(f"the kubeconfig's {section!r} is not a list", hint="fix or move the file and run again")
        new = {"name": entry.name, **body}
        for index, item in enumerate(items):
            if isinstance(item, dict) and item.get("name") == entry.name:
                items[index] = new
                break
        else:
            items.append(new)
    setting = set_current or not out.get("current-context")
    if setting:
        out["current-context"] = entry.name
    return out, setting


def _yaml():
    """A round-trip YAML reader and writer: comments, key order and quoting of the user's file survive."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def load(path: str) -> tuple[dict, Optional[int]]:
    """The kubeconfig at `path` (empty when absent) and its permission bits (None when absent)."""
    from ruamel.yaml import YAMLError

    try:
        with open(path, "rb") as handle:
            data = handle.read()
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        raise ConfigError(f"cannot read the kubeconfig {path}: {exc.strerror or exc}") from None
    try:
        document = _yaml().load(data) or {}
    except YAMLError as exc:
        raise ConfigError(f"the kubeconfig {path} is not valid YAML: {exc}",
                          hint="fix it, or write to another file with --kubeconfig PATH") from None
    if not isinstance(document, dict):
        raise ConfigError(f"the kubeconfig {path} is not a mapping", hint="fix it, or use --kubeconfig PATH")
    return document, mode


def write_entry(path: str, entry: ClusterEntry, set_current: bool, log: Callable[[str], None] = say) -> None:
    import io

    from awsenv import files
    from awsenv.config.edit_lock import editing

    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700, exist_ok=True)
    with editing(path):
        document, mode = load(path)
        existed = any(isinstance(item, dict) and item.get("name") == entry.name
                      for item in document.get("contexts") or [])
        new, current = merged(document, entry, set_current)
        text = io.StringIO()
        _yaml().dump(new, text)
        files.write_or_fail(path, text.getvalue().encode(), mode if mode is not None else 0o600, through_symlink=True)
    if current:
        where = "; it is now the current context"
    elif new.get("current-context") == entry.name:
        where = "; it is the current context"
    else:
        where = f"; use it with `kubectl --context {entry.name}`"
    log(f"{'updated' if existed else 'added'} context {entry.name!r} in {path}{where}")


def add_cluster(profile: str, cluster: str, region: Optional[str], kubeconfig: Optional[str], alias: Optional[str],
                set_current: bool, endpoint: Optional[str], certificate_authority: Optional[str],
                environ=os.environ, log: Callable[[str], None] = say) -> str:
    """Write `cluster`'s entries for `profile`; the kubeconfig's path. With --endpoint and --certificate-authority
    no call to AWS is made; otherwise EKS DescribeCluster is asked with the profile's credentials."""
    from awsenv.config import profiles as aws_config
    from awsenv.eks.token import check_cluster_name
    from awsenv.plan.rules import resolve_plan

    check_cluster_name(cluster)
    if (endpoint is None) != (certificate_authority is None):
        raise UsageError("--endpoint and --certificate-authority go together",
                         hint="give both to write the entry without asking EKS, or neither")
    if alias is not None and (not alias or not alias.isprintable()):
        raise UsageError(f"--alias {alias!r} is not a usable context name")
    path = kubeconfig_path(kubeconfig, environ)
    plan = resolve_plan(aws_config.load(), profile, "export", None, region, environ)  # unknown profile: exit 2 here
    if endpoint is not None:
        server, authority = check_endpoint(endpoint), read_certificate_authority(certificate_authority)
    else:
        from awsenv.aws.eks import describe_cluster
        from awsenv.resolve.obtain import Request, obtain

        if not plan.region:
            raise ConfigError(f"profile {profile!r} has no region, and EKS clusters live in one",
                              hint="give --region REGION (or set region in the profile)")
        creds = obtain(Request(profile=profile, flow="export", region=region), log).credentials
        server, authority = describe_cluster(profile, creds, plan.region, cluster)
    entry = ClusterEntry(alias or f"{profile}@{cluster}", server, authority, awsenv_command(),
                         token_args(profile, cluster, plan.region))
    write_entry(path, entry, set_current, log)
    return path
