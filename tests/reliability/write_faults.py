"""A fault in one step of awsenv's atomic writes, for a child awsenv process only.

Loaded as `sitecustomize` (its directory put first on the child's PYTHONPATH), it wraps the os functions that
awsenv.files.write_atomic calls on its temporary file, and acts at the step that WRITE_FAULT names:

    WRITE_FAULT='{"point": "synced", "action": "exit", "dir": "/home/x/.aws", "nth": 1}'

point:  created   (temp file made, nothing in it: before os.fchmod on it)
        written   (data written and flushed, not synced: before os.fsync on it)
        synced    (after os.fsync on it)
        replacing (before os.replace of it over the target)
        replaced  (after os.replace: the target is the new file)
action: exit      (os._exit(137): nothing runs after it, as with SIGKILL or a power cut)
        raise     (OSError EIO: the write's own error handling runs)
        enospc    (OSError ENOSPC)
dir:    only temporary files of awsenv (.awsenv-*.tmp) in this directory count
nth:    act at the nth such call (default 1)

Nothing else in the process reaches these points, so this hook is the only way to stop a write between them.
"""

import errno
import json
import os

_SPEC = json.loads(os.environ.get("WRITE_FAULT") or "null")

if _SPEC:
    _seen = [0]
    _real_fchmod, _real_fsync, _real_replace = os.fchmod, os.fsync, os.replace

    def _temp_in_dir(path) -> bool:
        path = os.fsdecode(path)
        name = os.path.basename(path)
        return (os.path.dirname(path) == _SPEC["dir"] and name.startswith(".awsenv-") and name.endswith(".tmp"))

    def _fd_path(fd) -> str:
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return ""

    def _maybe_fail(point: str, path) -> None:
        if point != _SPEC["point"] or not _temp_in_dir(path):
            return
        _seen[0] += 1
        if _seen[0] != _SPEC.get("nth", 1):
            return
        if _SPEC["action"] == "exit":
            os._exit(137)
        code = errno.ENOSPC if _SPEC["action"] == "enospc" else errno.EIO
        raise OSError(code, os.strerror(code))

    def _fchmod(fd, mode):
        _maybe_fail("created", _fd_path(fd))
        return _real_fchmod(fd, mode)

    def _fsync(fd):
        path = _fd_path(fd)
        _maybe_fail("written", path)
        _real_fsync(fd)
        _maybe_fail("synced", path)

    def _replace(src, dst, **kwargs):
        _maybe_fail("replacing", src)
        _real_replace(src, dst, **kwargs)
        _maybe_fail("replaced", src)

    os.fchmod, os.fsync, os.replace = _fchmod, _fsync, _replace
