"""Writing output files so that a failed write never leaves a truncated one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(output: Path, write: Callable[[Path], object], prefix: str | None = None) -> None:
    """Write through a temporary file in the same folder, then rename it over ``output``: a failed
    write leaves the previous file untouched. The file keeps its permissions (a new one gets the
    umask's). ``prefix``: the temporary file's name prefix (default ``.<name>.``)."""
    fd, temporary = tempfile.mkstemp(dir=output.parent, prefix=prefix or f".{output.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(temporary))
        try:
            mode = output.stat().st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, output)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
