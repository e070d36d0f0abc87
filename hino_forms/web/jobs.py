"""A bounded queue of generate jobs: a few run at once, a busy server says so instead of falling over."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from hino_forms.errors import HinoFormsError
from hino_forms.output.pdf import Converter
from hino_forms.planning.selection import Selection
from hino_forms.web import engine
from hino_forms.web.store import Job, Store


class Busy(HinoFormsError):
    """Too many jobs are waiting: the request is refused before anything is made."""


class JobRunner:
    """Runs jobs on a few worker threads; refuses new ones while ``limit`` are queued or running."""

    def __init__(
        self, store: Store, *, workers: int, limit: int, converter: Converter | None
    ) -> None:
        self.store = store
        self.limit = limit
        self.converter = converter
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._lock = threading.Lock()

    def submit(self, job: Job, *, selection: Selection, password: str | None) -> None:
        """Queue ``job``; Busy when the queue is full."""
        with self._lock:
            if self.store.active_jobs() >= self.limit:
                raise Busy(
                    f"ただいま作成の処理が混み合っています（{self.limit} 件を処理中）。"
                    "しばらく待ってから、もう一度「作成する」を押してください"
                )
            self.store.add_job(job)
        self._pool.submit(
            engine.run_job,
            job,
            selection=selection,
            password=password,
            converter=self.converter,
        )

    def close(self) -> None:
        """Finish nothing new; wait for the running jobs (their folders are deleted after)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
