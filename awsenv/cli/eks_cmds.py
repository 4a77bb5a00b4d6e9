"""`awsenv eks token|kubeconfig`: Kubernetes on EKS from any profile."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import ProfileArg

eks_app = typer.Typer(
    help="Kubernetes on EKS with any profile: kubectl gets its tokens from awsenv (role chains, MFA, SSO, stored "
         "keys, credential_process all work).",
    no_args_is_help=True)
app.add_typer(eks_app, name="eks", short_help="Kubernetes on EKS: kubectl tokens, kubeconfig entries.")

ClusterOpt = Annotated[str, typer.Option("--cluster", metavar="NAME", help="The EKS cluster's name.",
                                         show_default=False)]
RegionOpt = Annotated[Optional[str], typer.Option(
    "--region", metavar="REGION", help="The cluster's region (default: the profile's).", show_default=False)]


@eks_app.command("token")
def eks_token(cluster: ClusterOpt, profile: ProfileArg = None, region: RegionOpt = None) -> None:
    """Print a Kubernetes ExecCredential with a token for the cluster, signed with the profile's credentials; kubectl
    runs this (see `awsenv eks kubeconfig`). A token is reused from the cache while it is good for more than a minute.

    Example: awsenv eks token prod --cluster main --region eu-west-1
    """
    from awsenv.commands.credentials import profile_or_pick
    from awsenv.eks.token import exec_credential
    from awsenv.shells.output import write_product

    write_product(exec_credential(profile_or_pick(profile, "export"), cluster, region))


@eks_app.command("kubeconfig")
def eks_kubeconfig(
        cluster: ClusterOpt, profile: ProfileArg = None, region: RegionOpt = None,
        kubeconfig: Annotated[Optional[str], typer.Option(
            "--kubeconfig", metavar="PATH", help="The kubeconfig to write (default: $KUBECONFIG's first file, "
                                                 "else ~/.kube/config).", show_default=False)] = None,
        alias: Annotated[Optional[str], typer.Option(
            "--alias", metavar="NAME", help="The context's name (default PROFILE@CLUSTER); its cluster and user "
                                            "entries get the same name.", show_default=False)] = None,
        set_current: Annotated[bool, typer.Option("--set-current", help="Make it the current context.")] = False,
        endpoint: Annotated[Optional[str], typer.Option(
            "--endpoint", metavar="URL", help="The API server's URL: with --certificate-authority, nothing is asked "
                                              "of EKS.", show_default=False)] = None,
        certificate_authority: Annotated[Optional[str], typer.Option(
            "--certificate-authority", metavar="FILE", help="The cluster's CA certificate (PEM), with --endpoint.",
            show_default=False)] = None) -> None:
    """Add or update the cluster, a user whose token comes from `awsenv eks token PROFILE --cluster NAME`, and a
    context in the kubeconfig, keeping every other entry. The endpoint and CA come from EKS DescribeCluster.

    Example: awsenv eks kubeconfig prod --cluster main --region eu-west-1 --set-current
    """
    from awsenv.commands.credentials import profile_or_pick
    from awsenv.eks.kubeconfig import add_cluster

    add_cluster(profile_or_pick(profile, "export"), cluster, region, kubeconfig, alias, set_current, endpoint,
                certificate_authority)
