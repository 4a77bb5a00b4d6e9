"""The simple forms of the most used commands, run without the command-line framework, whose import costs more
than awsenv's own work around an AWS call or a config parse.

    user|role|sso|export|credential-process PROFILE [--shell S] [--format F] [--region R] [--duration D]
        [--no-browser (not for user)]
    explain PROFILE [--json] [--region R] [--duration D]
    list [--json]
    eks token PROFILE --cluster NAME [--region R]

Each option at most once, a value never starting with `-`. Any other form (help, --debug, --mfa-code, --no-cache,
--write-profile, `--`, an unknown option, a missing profile, …) goes to the Typer application, which alone defines
the commands' names, options, help and usage errors; both run the same command bodies and report errors the same
way (awsenv.cli.reporting)."""

from __future__ import annotations

import os

from awsenv.cli import fast as fastpath


def run_simple(argv: list[str], environ=os.environ) -> int | None:
    """Run a simple form and return its exit status, or None for the Typer application."""
    if "_AWSENV_COMPLETE" in environ:  # shell completion is the framework's
        return None
    from awsenv.cli.reporting import guarded

    call = fastpath.parse(argv)
    if call is not None:
        from awsenv.commands.credentials import CredentialOptions, print_credential_process, print_credentials

        get = call.options.get
        options = CredentialOptions(shell=get("--shell"), format=get("--format"), duration=get("--duration"),
                                    region=get("--region"), no_browser="--no-browser" in call.options)
        if call.command == "credential-process":
            return guarded(lambda: print_credential_process(call.profile, options))
        return guarded(lambda: print_credentials(call.command, call.profile, options))
    call = fastpath.parse(argv, ("explain",), ("--duration", "--region"), ("--json",))
    if call is not None:
        from awsenv.commands.inspect import show_explain

        get = call.options.get
        return guarded(lambda: show_explain(call.profile, "--json" in call.options, get("--duration"), get("--region")))
    call = fastpath.parse(argv[1:], ("token",), ("--cluster", "--region"), ()) if argv[:1] == ["eks"] else None
    if call is not None and call.options.get("--cluster") is not None:
        from awsenv.eks.token import exec_credential
        from awsenv.shells.output import write_product

        get = call.options.get
        return guarded(lambda: write_product(exec_credential(call.profile, get("--cluster"), get("--region"))))
    call = fastpath.parse(argv, ("renew", "chdir"), ("--shell", "--format"), (), takes_profile=False)
    if call is not None:  # run by the shell integration before a prompt: no framework to load
        from awsenv.commands.directories import print_changes
        from awsenv.commands.renew import renew

        get = call.options.get
        if call.command == "renew":
            return guarded(lambda: renew(get("--shell"), get("--format")))
        return guarded(lambda: print_changes(get("--shell"), get("--format")))
    call = fastpath.parse(argv, ("list",), (), ("--json",), takes_profile=False)
    if call is not None:
        from awsenv.commands.inspect import show_list

        return guarded(lambda: show_list("--json" in call.options))
    return None
