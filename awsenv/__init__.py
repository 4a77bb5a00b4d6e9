"""awsenv: short-lived AWS credentials from your profiles, for any shell, command or SDK."""

__version__ = "0.1.0"
