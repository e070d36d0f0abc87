"""The output folder's safety: never overwrite silently, one run at a time, owner-only files,
files and contract folders that appear whole or not at all, and no path that follows a link."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from hino_forms.errors import (
    LockIsLink,
    LockUncreatable,
    OutputAppeared,
    OutputBusy,
    OutputDanglingLink,
    OutputExists,
    OutputNotAFolder,
    OutputNotPermitted,
    OutputOpenElsewhere,
)

WORK_DIR = ".hino-forms-work"  # where contract folders are built before their rename into place
LOCK = ".hino-forms.lock"  # held while a run writes into the folder
MANIFEST = "manifest.json"
SCHEDULE = "提出予定一覧.xlsx"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; Windows checks for a link first (below)


def check_out_folder(out: Path) -> None:
    """Stop before anything is written when ``out`` cannot be the output folder: one line naming why."""
    if out.is_symlink() and not out.exists():
        raise OutputDanglingLink(out)
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise OutputNotAFolder(out, None if parent == out else parent)
        if parent.exists():
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputNotPermitted(parent)
            return


def refuse_to_overwrite(out: Path, names: Iterable[str], force: bool) -> None:
    """Stop before writing anything when ``out`` holds any of ``names`` or the lists (without --force),
    or when a file that would be replaced is open in another program (Excel, Word, Acrobat)."""
    if not out.exists():
        return
    existing = [n for n in (*names, MANIFEST, SCHEDULE) if (out / n).exists()]
    if existing and not force:
        raise OutputExists(out, existing)
    for name in existing:
        path = out / name
        for file in [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()):
            _check_replaceable(file)


def _check_replaceable(path: Path) -> None:
    """Raise OutputOpenElsewhere when ``path`` is locked by another program or may not be replaced."""
    try:
        with path.open("r+b"):  # Windows refuses this while Excel, Word or Acrobat holds the file
            pass
    except PermissionError:
        raise OutputOpenElsewhere(path) from None


def locked_elsewhere(path: Path) -> OutputOpenElsewhere:
    """The error for a file that could not be replaced midway (a lock taken after the check)."""
    return OutputOpenElsewhere(path, midway=True)


@contextlib.contextmanager
def only_run(out: Path) -> Iterator[None]:
    """One run at a time per output folder: a second one stops instead of undoing the first's work.

    The lock file is opened without following a link (a planted symlink is refused, never
    truncated); ``fcntl.flock`` locks it on POSIX, ``msvcrt.locking`` on Windows.
    """
    lock_path = out / LOCK
    if lock_path.is_symlink():
        raise LockIsLink(lock_path)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
    except OSError as err:
        raise LockUncreatable(lock_path, err.strerror or str(err)) from None
    flock = _has_flock()
    with os.fdopen(fd, "r+b") as lock:
        if not _try_lock(lock, flock):
            raise OutputBusy(out)
        try:
            yield
        finally:
            if flock:  # removed while still locked, so no other run's lock file is ever removed
                lock_path.unlink(missing_ok=True)
    if (
        not flock
    ):  # Windows removes no file that is open; the next run simply reuses it if this fails
        with contextlib.suppress(OSError):
            lock_path.unlink()


def _has_flock() -> bool:
    try:
        import fcntl  # noqa: F401
    except ImportError:  # Windows
        return False
    return True


def _try_lock(file: IO[bytes], flock: bool) -> bool:
    """Lock ``file`` without waiting (flock, else msvcrt); False when another process holds it."""
    if not flock:
        import msvcrt

        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def owner_only() -> Iterator[None]:
    """Files and folders created meanwhile are the owner's only (umask 077): they hold personal data."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def work_folder(out: Path) -> Iterator[Path]:
    """A fresh work folder inside ``out`` (same file system, so renames are atomic), removed after."""
    work = out / WORK_DIR
    _remove(work)  # what a killed run left behind (a link is removed, never followed)
    work.mkdir(mode=0o700)
    try:
        yield work
    finally:
        _remove(work)


def _remove(path: Path) -> None:
    """Remove a file, a link (not what it points at) or a folder tree, whichever ``path`` is."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def move_into_place(src: Path, dest: Path, force: bool) -> None:
    """One rename per finished folder; with --force an old folder of that name is replaced."""
    if not src.exists():
        return
    try:
        if not dest.exists() and not dest.is_symlink():
            os.replace(src, dest)
            return
        if not force:  # checked up front; a folder that appeared meanwhile is still not overwritten
            raise OutputAppeared(dest)
        trash = src.parent / f"{src.name}.old"
        os.replace(dest, trash)
        try:
            os.replace(src, dest)
        except OSError:
            os.replace(trash, dest)  # put the old folder back: never a half-replaced output
            raise
        _remove(trash)
    except PermissionError:
        raise locked_elsewhere(dest) from None


@contextlib.contextmanager
def atomic_write(target: Path, *, private: bool) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only when the block succeeds.

    Readers see the old file or the whole new one, never half of it; on failure the
    temporary file goes and ``target`` is untouched. ``private``: owner-only (0600)
    whatever the umask, for files that hold personal data (and from threads: the
    other branch reads the umask by setting it, which is process-wide).
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
            raise locked_elsewhere(target) from None
    finally:
        tmp.unlink(missing_ok=True)
