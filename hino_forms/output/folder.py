"""The output folder's safety: never overwrite silently, one run at a time, owner-only files,
and contract folders that appear whole or not at all."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from hino_forms.errors import OutputAppeared, OutputBusy, OutputExists

WORK_DIR = ".hino-forms-work"  # where contract folders are built before their rename into place
LOCK = ".hino-forms.lock"  # held while a run writes into the folder
MANIFEST = "manifest.json"
SCHEDULE = "提出予定一覧.xlsx"


def refuse_to_overwrite(out: Path, names: Iterable[str], force: bool) -> None:
    """Without --force, stop before writing anything when ``out`` holds any of ``names`` or the lists."""
    if force or not out.exists():
        return
    existing = [n for n in (*names, MANIFEST, SCHEDULE) if (out / n).exists()]
    if existing:
        raise OutputExists(out, existing)


@contextlib.contextmanager
def only_run(out: Path) -> Iterator[None]:
    """One run at a time per output folder: a second one stops instead of undoing the first's work."""
    try:
        import fcntl
    except (
        ImportError
    ):  # Windows has no flock; concurrent runs into one folder are not guarded there
        yield
        return
    lock_path = out / LOCK
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(out) from None
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)


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
    shutil.rmtree(work, ignore_errors=True)  # what a killed run left behind
    work.mkdir()
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def move_into_place(src: Path, dest: Path, force: bool) -> None:
    """One rename per finished folder; with --force an old folder of that name is replaced."""
    if not src.exists():
        return
    if not dest.exists():
        os.replace(src, dest)
        return
    if not force:  # checked up front; a folder that appeared meanwhile is still not overwritten
        raise OutputAppeared(dest)
    trash = src.parent / f"{src.name}.old"
    os.replace(dest, trash)
    os.replace(src, dest)
    shutil.rmtree(trash, ignore_errors=True)


def write_aside(target: Path, work: Path, write: Callable[[Path], object]) -> None:
    """Write ``target`` in the work folder, then rename it into place: never a half-written file."""
    tmp = work / target.name
    write(tmp)
    os.replace(tmp, target)
