"""Where `awsenv console` lands: the partition's hosts, service short names, checked URLs, bookmarks. Pure."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Mapping, Optional

from awsenv.errors import ConfigError, UsageError


@dataclass(frozen=True)
class Partition:
    name: str
    signin_host: str  # the federation endpoint lives here
    console_domain: str  # console pages are on this host or a subdomain of it
    home_region: str  # the region whose console host has no region prefix


PARTITIONS = {
    "aws": Partition("aws", "signin.aws.amazon.com", "console.aws.amazon.com", "us-east-1"),
    "aws-cn": Partition("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn", "cn-north-1"),
    "aws-us-gov": Partition("aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com",
                            "us-gov-west-1"),
    "aws-eusc": Partition("aws-eusc", "signin.amazonaws-eusc.eu", "console.amazonaws-eusc.eu", "eusc-de-east-1"),
}

_ARN_PARTITION = re.compile(r"arn:(aws[a-z-]*):")
_REGION = re.compile(r"[a-z]{2,4}(-[a-z]+)+-\d+")

# Short names people type, mapped to the console path of the service (`<path>/home`).
SERVICES = {
    "acm": "acm", "apigateway": "apigateway", "apigw": "apigateway", "athena": "athena", "backup": "backup",
    "billing": "billing", "ce": "costmanagement", "costs": "costmanagement", "cloudformation": "cloudformation",
    "cfn": "cloudformation", "cloudfront": "cloudfront", "cf": "cloudfront", "cloudtrail": "cloudtrail",
    "ct": "cloudtrail", "cloudwatch": "cloudwatch", "cw": "cloudwatch", "logs": "cloudwatch",
    "codebuild": "codesuite/codebuild", "codecommit": "codesuite/codecommit",
    "codepipeline": "codesuite/codepipeline", "cognito": "cognito", "config": "config",
    "dynamodb": "dynamodbv2", "ddb": "dynamodbv2", "ec2": "ec2/v2", "ecr": "ecr", "ecs": "ecs", "eks": "eks",
    "elasticache": "elasticache", "eventbridge": "events", "events": "events", "glue": "glue",
    "guardduty": "guardduty", "iam": "iam", "kinesis": "kinesis", "kms": "kms", "lambda": "lambda",
    "organizations": "organizations", "rds": "rds", "redshift": "redshiftv2", "route53": "route53/v2",
    "r53": "route53/v2", "s3": "s3", "sagemaker": "sagemaker", "secretsmanager": "secretsmanager",
    "securityhub": "securityhub", "ses": "ses", "sns": "sns", "sqs": "sqs", "ssm": "systems-manager",
    "sso": "singlesignon", "stepfunctions": "states", "sfn": "states", "support": "support",
    "trustedadvisor": "trustedadvisor", "vpc": "vpc", "waf": "wafv2",
}
# Pages that are not per region: their URL carries no region.
GLOBAL_SERVICES = {"billing", "costmanagement", "cloudfront", "iam", "organizations", "route53/v2",
                   "support", "trustedadvisor"}
_SHOWN_SERVICES = ("s3", "ec2", "lambda", "cloudformation", "iam", "cloudwatch", "dynamodb", "rds", "ecs",
                   "eks", "vpc", "route53", "sqs", "sns", "ssm", "kms", "secretsmanager", "costs")

_BOOKMARK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
BOOKMARKS_KEY = "awsenv_console_bookmarks"


def partition_for(role_arn: Optional[str], region: Optional[str]) -> Partition:
    """The partition a profile signs in to: its role ARN's when it has one, else its region's."""
    match = _ARN_PARTITION.match(role_arn or "")
    if match and match.group(1) in PARTITIONS:
        return PARTITIONS[match.group(1)]
    if region and region.startswith("cn-"):
        return PARTITIONS["aws-cn"]
    if region and region.startswith("us-gov-"):
        return PARTITIONS["aws-us-gov"]
    if region and region.startswith("eusc-"):
        return PARTITIONS["aws-eusc"]
    return PARTITIONS["aws"]


def check_region(region: Optional[str], partition: Partition) -> Optional[str]:
    if region is None:
        return None
    if not _REGION.fullmatch(region):
        raise UsageError(f"{region!r} is not a region name", hint="regions look like eu-west-1 or us-east-2")
    if partition_for(None, region) != partition:
        raise UsageError(f"region {region} is not in the {partition.name} partition this profile signs in to",
                         hint=f"choose a region of the {partition.name} partition")
    return region


def console_host(partition: Partition, region: Optional[str]) -> str:
    if not region or region == partition.home_region:
        return partition.console_domain
    return f"{region}.{partition.console_domain}"


def home_page(partition: Partition, region: Optional[str]) -> str:
    url = f"https://{console_host(partition, region)}/console/home"
    return url + (f"?region={region}" if region else "")


def service_page(name: str, partition: Partition, region: Optional[str]) -> str:
    path = SERVICES.get(name.lower())
    if path is None:
        raise UsageError(f"unknown console service {name!r}",
                         hint="known names include " + ", ".join(_SHOWN_SERVICES)
                              + "; for any other page pass --destination URL")
    if path in GLOBAL_SERVICES:
        return f"https://{partition.console_domain}/{path}/home"
    url = f"https://{console_host(partition, region)}/{path}/home"
    return url + (f"?region={region}" if region else "")


def checked_destination(url: str, partition: Partition) -> str:
    """`url` when it is an https page of this partition's console (the console host or one of its subdomains)."""
    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    accepted = (f"https://{partition.console_domain}/… or https://<region>.{partition.console_domain}/… "
                f"(any page of the {partition.name} console)")
    if parts.scheme != "https" or parts.username or parts.password or parts.port not in (None, 443):
        raise UsageError(f"--destination {url!r} is not an https console URL", hint=f"use {accepted}")
    if host != partition.console_domain and not host.endswith("." + partition.console_domain):
        other = next((p for p in PARTITIONS.values()
                      if host == p.console_domain or host.endswith("." + p.console_domain)), None)
        why = (f"it is a page of the {other.name} console, and this profile signs in to {partition.name}" if other
               else "it is not a page of the AWS console")
        raise UsageError(f"--destination {url!r}: {why}", hint=f"use {accepted}")
    return url.strip()


def parse_bookmarks(profile: str, text: Optional[str]) -> dict[str, str]:
    """`name=target, name=target` (targets: a console URL or a service short name) → {name: target}."""
    bookmarks: dict[str, str] = {}
    for item in re.split(r"[,\n]", text or ""):
        if not item.strip():
            continue
        name, sep, target = item.partition("=")
        name, target = name.strip(), target.strip()
        if not sep or not _BOOKMARK_NAME.fullmatch(name) or not target:
            raise ConfigError(f"profile {profile!r}: {BOOKMARKS_KEY} entry {item.strip()!r} is not NAME=TARGET",
                              hint="write e.g. costs=https://console.aws.amazon.com/costmanagement/home, "
                                   "logs=cloudwatch")
        bookmarks[name] = target
    return bookmarks


def destination(profile: str, partition: Partition, region: Optional[str], *, service: Optional[str] = None,
                url: Optional[str] = None, bookmark: Optional[str] = None,
                bookmarks: Mapping[str, str] = {}) -> str:
    """The console page to land on, from at most one of --service, --destination and --bookmark."""
    chosen = [flag for flag, value in (("--service", service), ("--destination", url), ("--bookmark", bookmark))
              if value]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} both choose the page to open", hint="give only one of them")
    if url:
        return checked_destination(url, partition)
    if service:
        return service_page(service, partition, region)
    if bookmark:
        target = bookmarks.get(bookmark)
        if target is None:
            known = ", ".join(sorted(bookmarks)) or f"none (set {BOOKMARKS_KEY} in the profile)"
            raise UsageError(f"profile {profile!r} has no console bookmark {bookmark!r}",
                             hint=f"its bookmarks: {known}")
        if "://" in target:
            return checked_destination(target, partition)
        return service_page(target, partition, region)
    return home_page(partition, region)
