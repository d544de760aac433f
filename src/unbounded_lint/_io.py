"""Writing files so that a crash or Ctrl-C never leaves half of one."""

from __future__ import annotations

import os
import tempfile
from typing import Optional


def atomic_write(path: str, data: bytes, mode: Optional[int] = None, fsync: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    Readers see the old file or the new one, never a mix. ``mode`` sets the permission bits of
    the new file (the rename would otherwise give it the temporary file's 0600).
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ubl-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
