"""Private files: 0700 directories, 0600 files, atomic replace in the same directory, no symlink surprises."""

from __future__ import annotations

import os
import stat

from awsenv.errors import AwsenvError


class UnsafeDirectory(Exception):
    """A directory awsenv would keep secrets in is owned by someone else or writable by others."""


class FileNotWritten(AwsenvError):
    """A file of the user's (credentials, config, key file) could not be replaced; it was left as it was."""


def ensure_private_dir(path: str) -> str:
    """Create `path` (0700) if needed; refuse a symlink, another owner, or group/other write access."""
    create_private_parents(os.path.dirname(os.path.abspath(path)))  # e.g. ~/.cache: private too, whatever the umask
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeDirectory(f"{path} is not a plain directory")
    if info.st_uid != os.getuid():
        raise UnsafeDirectory(f"{path} is owned by uid {info.st_uid}, not by you")
    if info.st_mode & 0o022:
        raise UnsafeDirectory(f"{path} is writable by group or others")
    if info.st_mode & 0o777 != 0o700:
        os.chmod(path, 0o700)
    return path


def read_no_follow(path: str) -> bytes | None:
    """The file's bytes, or None when it is missing, a symlink, not a regular file, or someone else's."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            return None
        try:
            return handle.read()
        except OSError:
            return None


def dangling_link(path: str) -> str | None:
    """The symlink on the way to `path` (the file or one of its directories) that points to nothing, if any: a write
    through it would create files wherever it points."""
    probe = os.path.abspath(path)
    while True:
        if os.path.islink(probe) and not os.path.exists(probe):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def write_atomic(path: str, data: bytes, mode: int = 0o600, through_symlink: bool = False) -> None:
    """Replace `path` with `data` in one step: a temporary file in the same directory, fsync, rename.

    With `through_symlink`, a symlink at `path` is kept and its target is replaced; otherwise a symlink
    at `path` is itself replaced by a regular file (never followed).
    """
    import tempfile  # here, not at the top: a cache hit reads files and never needs it

    target = os.path.realpath(path) if through_symlink else os.path.abspath(path)
    directory = os.path.dirname(target)
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".awsenv-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
        temp = ""
        _fsync_dir(directory)
    finally:
        if temp:
            try:
                os.unlink(temp)
            except OSError:
                pass
    remove_stale_temporaries(directory)


def write_or_fail(path: str, data: bytes, mode: int = 0o600, through_symlink: bool = False) -> None:
    """write_atomic for a file the user keeps (not a cache): a failure becomes an error that says the file is
    unchanged, with the reason (a full disk named as such)."""
    import errno  # here, not at the top: a cache hit reads files and never needs it

    try:
        write_atomic(path, data, mode, through_symlink)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):  # a full disk, a quota, a file size limit
            raise FileNotWritten(f"no space left writing {path} ({exc.strerror}); the file is unchanged",
                                 hint="free some space (or raise the quota) and run again") from None
        raise FileNotWritten(f"could not write {path}: {exc.strerror or type(exc).__name__}; the file is unchanged",
                             hint="check that directory's permissions and free space, then run again") from None


def create_private_parents(directory: str) -> None:
    """Create `directory` and any missing parent 0700, whatever the umask; an existing one is left as it is."""
    if os.path.isdir(directory):
        return
    previous = os.umask(0o077)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    finally:
        os.umask(previous)


def remove_stale_temporaries(directory: str, older_than: float = 600.0) -> None:
    """Remove our temporary files that a killed process left behind (a live writer's is seconds old at most)."""
    import time

    cutoff = time.time() - older_than
    try:
        names = [name for name in os.listdir(directory) if name.startswith(".awsenv-") and name.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        try:
            if os.lstat(path).st_mtime < cutoff:
                os.unlink(path)
        except OSError:
            pass


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
