"""Files that appear whole or not at all: the one atomic write every command uses."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hino_forms.errors import OutputOpenElsewhere


@contextlib.contextmanager
def atomic_write(target: Path, *, private: bool = True) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only when the block succeeds.

    Readers see the old file or the whole new one, never half of it; on failure the
    temporary file goes and ``target`` is untouched. ``private`` (the default): owner-only
    (0600) from the start (mkstemp), for files that hold personal data; otherwise the
    umask's mode (read by setting it, which is process-wide: not from threads).
    A target another program holds open (Windows) is ``OutputOpenElsewhere``.
    """
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)  # mkstemp makes it 0600 already; the writer reopens it by name
    tmp = Path(name)
    try:
        yield tmp
        if not private:
            mask = os.umask(0)
            os.umask(mask)
            tmp.chmod(0o666 & ~mask)
        try:
            os.replace(tmp, target)
        except PermissionError:
            raise OutputOpenElsewhere(target, midway=True) from None
    finally:
        tmp.unlink(missing_ok=True)
