"""Uploads and jobs, private to the browser session that made them, deleted when they expire.

Every id is unguessable (``secrets``) and every look-up names its owner: another session's id
is "not found", exactly like an id that never existed or has expired.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hino_forms.models import Records
from hino_forms.output.pipeline import Summary

JobState = Literal["queued", "running", "done", "failed"]


class NotFound(Exception):
    """No such upload or job for this session (never made, another session's, or expired)."""


def new_id() -> str:
    """An unguessable id, safe in a URL."""
    return secrets.token_urlsafe(18)


@dataclass
class Upload:
    """One uploaded workbook and what the reader made of it."""

    id: str
    owner: str
    name: str  # the file name as the browser sent it: shown, never used as a path
    path: Path
    records: Records
    created: float = field(default_factory=time.time)


@dataclass
class Stage:
    """One stage of a run (render, convert, bundle): how many of how many."""

    name: str
    total: int
    done: int = 0


@dataclass
class Job:
    """One generate run: its folder, its progress and, once done, what it made."""

    id: str
    owner: str
    upload: Upload
    folder: Path
    title: str  # what was asked, in Japanese, for the page
    preview: bool = False  # the contractor's preview: PDFs shown inline
    created: float = field(default_factory=time.time)
    state: JobState = "queued"
    stages: list[Stage] = field(default_factory=list)
    summary: Summary | None = None
    error: str = ""
    zip_path: Path | None = None
    bundles: list[Path] = field(default_factory=list)  # bundle PDFs, relative to the output
    version: int = 0  # bumped at every change: the event stream sends when it moves
    started: float = 0.0
    finished: float = 0.0

    @property
    def out(self) -> Path:
        return self.folder / "output"

    @property
    def finished_state(self) -> bool:
        return self.state in ("done", "failed")

    def percent(self) -> int:
        """Overall progress, every unit of every stage weighing the same."""
        total = sum(s.total for s in self.stages)
        if self.state == "done":
            return 100
        return int(100 * sum(s.done for s in self.stages) / total) if total else 0


class Store:
    """Every session's uploads and jobs, under one private temporary folder."""

    def __init__(self, expiry: float) -> None:
        self.expiry = expiry
        self.root = Path(tempfile.mkdtemp(prefix="hino-forms-web-"))  # mode 0700
        self._uploads: dict[str, Upload] = {}
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def folder(self) -> Path:
        """A fresh private folder for one upload or job."""
        return Path(tempfile.mkdtemp(dir=self.root))

    def add_upload(self, upload: Upload) -> None:
        with self._lock:
            self._uploads[upload.id] = upload

    def add_job(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job

    def upload(self, owner: str, upload_id: str | None) -> Upload:
        """The session's upload; NotFound for anything else."""
        with self._lock:
            found = self._uploads.get(upload_id or "")
        if found is None or not secrets.compare_digest(found.owner, owner):
            raise NotFound(upload_id)
        return found

    def job(self, owner: str, job_id: str) -> Job:
        """The session's job; NotFound for anything else."""
        with self._lock:
            found = self._jobs.get(job_id)
        if found is None or not secrets.compare_digest(found.owner, owner):
            raise NotFound(job_id)
        return found

    def active_jobs(self) -> int:
        """Jobs queued or running (the bounded queue counts these)."""
        with self._lock:
            return sum(not j.finished_state for j in self._jobs.values())

    def expire(self, now: float | None = None) -> int:
        """Delete uploads and finished jobs older than ``expiry``; returns how many went."""
        limit = (time.time() if now is None else now) - self.expiry
        with self._lock:
            old_uploads = [u for u in self._uploads.values() if u.created < limit]
            old_jobs = [j for j in self._jobs.values() if j.finished_state and j.finished < limit]
            for u in old_uploads:
                del self._uploads[u.id]
            for j in old_jobs:
                del self._jobs[j.id]
        for path in [u.path.parent for u in old_uploads] + [j.folder for j in old_jobs]:
            shutil.rmtree(path, ignore_errors=True)
        return len(old_uploads) + len(old_jobs)

    def close(self) -> None:
        """Delete everything (at the server's shutdown)."""
        with self._lock:
            self._uploads.clear()
            self._jobs.clear()
        shutil.rmtree(self.root, ignore_errors=True)
