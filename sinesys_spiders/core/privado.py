"""Personal data at rest is owner-only (issue 17, item 5): folders 0700, files 0600, whatever the umask.

The SQLite database (and its ``-wal``/``-shm`` files), the downloaded documents, the key file and the logs hold
lawyers' and parties' data. :func:`forcar_umask` sets the process umask to ``077`` (the command line and every
crawl call it at start, and child processes inherit it); :func:`pasta_privada` and :func:`arquivo_privado`
also fix the mode of what they create, for a library caller that kept its own umask.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["UMASK", "arquivo_privado", "forcar_umask", "pasta_privada"]

UMASK = 0o077


def forcar_umask() -> int:
    """Make every file and folder this process creates owner-only; return the previous umask."""
    return os.umask(UMASK)


def pasta_privada(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700, whatever the umask.

    Only the folders created here are tightened: a folder that already existed is left as it is, since it may be
    shared (``/tmp``, a project folder holding ``sqlite:///app.db``); making one of those 0700 as its owner (root
    owns ``/tmp``) would lock every other user out of it.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for created in missing:
        with contextlib.suppress(OSError):  # created by someone else meanwhile: leave it
            if created.stat().st_uid == os.getuid():
                created.chmod(0o700)
    return path


def arquivo_privado(path: Path) -> None:
    """Make an existing file of ours 0600 (nothing if it does not exist)."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if path.stat().st_uid == os.getuid():
            path.chmod(0o600)
