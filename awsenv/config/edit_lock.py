"""One writer at a time per shared AWS file (config, credentials): every awsenv command that rewrites one of them
reads, changes and replaces it under this lock, so two writers never lose each other's changes."""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def editing(path: str) -> Iterator[None]:
    """Hold the edit lock of the file at `path` (a symlink counts as its target). The lock lives in awsenv's cache
    directory; without a usable one, the edit goes ahead unlocked, as it would for any other tool."""
    from awsenv import files, locking
    from awsenv.paths import cache_dir

    try:
        directory = files.ensure_private_dir(cache_dir())
    except (files.UnsafeDirectory, OSError) as exc:
        logging.getLogger("awsenv").debug("no lock for editing %s (%s)", path, exc)
        yield
        return
    key = hashlib.sha256(os.path.realpath(path).encode()).hexdigest()[:16]
    with locking.held(os.path.join(directory, f"edit-{key}.lock"), f"another awsenv writing {path}",
                      timeout=locking.lock_timeout()):
        yield
