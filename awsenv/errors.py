"""The one exception family awsenv raises, each kind with its exit status."""

from __future__ import annotations


class AwsenvError(Exception):
    """A failure to report to the user: a message, an optional hint, an exit status."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(AwsenvError):
    """Bad option value or bad input; detected before any call to AWS."""

    exit_code = 2


class ConfigError(AwsenvError):
    """The AWS config says something awsenv cannot use; detected before any call to AWS."""

    exit_code = 2


class AwsError(AwsenvError):
    """AWS refused the request or could not be reached."""

    exit_code = 1


class MfaUnavailable(AwsenvError):
    """An MFA code is needed and there is no way to get one."""

    exit_code = 1


class SignInNeeded(AwsenvError):
    """An IAM Identity Center or console sign-in is needed and no person may be asked now."""

    exit_code = 1


class Interrupted(AwsenvError):
    exit_code = 130
