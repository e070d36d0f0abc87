"""LibreOffice conversion: .docx → .pdf with a pool of headless soffice workers.

Starting soffice costs about a second, so each worker converts a batch of
files per start. Every worker has its own LibreOffice profile: two soffice
processes sharing one profile make the second fail without a word. Each
soffice runs in its own process group, killed when the batch ends, times out
or is interrupted, so no soffice outlives a run.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pypdf import PdfReader

from hino_forms import resources
from hino_forms.atomic import atomic_write
from hino_forms.errors import PdfUnavailable, SofficeMissing

Progress = Callable[[Path, Path | None], None]

# One soffice start per this many files at most. A start costs seconds, so one
# conversion (a chunk's forms and the previous chunk's covers) is normally one
# batch per worker; a crash costs a restart, not the batch (see _convert_batch).
MAX_BATCH = 400
# Seconds between looks for finished PDFs (they are reported as they come).
POLL = 0.25
# LibreOffice's PDF export, with Word bookmarks as named destinations (joined.py cuts there).
PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
)

_WINDOWS_SOFFICE = (
    Path(r"C:\Program Files\LibreOffice\program\soffice.exe"),
    Path(r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"),
)
_MACOS_SOFFICE = (Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),)


def soffice_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment soffice runs in: the shipped font substitutions unless the user set their own."""
    env = dict(os.environ if base is None else base)
    if sys.platform != "win32":
        # Maps the templates' ＭＳ 明朝 to IPAexMincho on Linux; without it LibreOffice sets
        # Japanese text in IPAexGothic (its own table knows only IPAMincho).
        env.setdefault("FONTCONFIG_FILE", str(resources.fontconfig()))
    return env


@dataclass(frozen=True)
class ConversionResult:
    """What came back: each converted .docx → its .pdf, each failed .docx → the reason (Japanese)."""

    converted: dict[Path, Path]
    failed: dict[Path, str]
    stalled: bool = False  # LibreOffice stopped answering: converting more is not worth a timeout


class Converter(Protocol):
    """Turns .docx files into PDFs beside them: the soffice pool here, or a warm server."""

    def __call__(
        self, docx_paths: Sequence[Path], progress: Progress | None = None
    ) -> ConversionResult: ...


@dataclass(frozen=True)
class SofficePool:
    """The default ``Converter``: ``convert`` with these settings."""

    soffice: Path
    jobs: int | None = None
    timeout: float = 60.0

    def __call__(
        self, docx_paths: Sequence[Path], progress: Progress | None = None
    ) -> ConversionResult:
        """Convert ``docx_paths`` (see ``convert``)."""
        return convert(
            docx_paths,
            jobs=self.jobs,
            timeout=self.timeout,
            soffice=self.soffice,
            progress=progress,
        )


@dataclass(frozen=True)
class _Outcome:
    """How one soffice run ended; ``reason`` is empty when it exited normally."""

    reason: str
    stderr: str


SOFFICE_ENV = (
    "HINO_FORMS_SOFFICE"  # a LibreOffice to use (e.g. a portable one) instead of searching
)


def find_soffice(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """LibreOffice's soffice: ``--soffice``, else HINO_FORMS_SOFFICE, else on PATH or in the usual
    Windows and macOS install folders. A named one that does not exist is an error, not a search."""
    named = explicit or (os.environ if env is None else env).get(SOFFICE_ENV) or None
    if named is not None:
        path = Path(named)
        if path.is_dir():  # the program folder of a portable LibreOffice
            found = [
                path / n for n in ("soffice", "soffice.com", "soffice.exe") if (path / n).is_file()
            ]
            path = found[0] if found else path / "soffice"
        if not path.is_file():
            raise SofficeMissing(str(named), None if explicit else SOFFICE_ENV)
        return path
    for name in ("soffice", "libreoffice"):
        found_on_path = shutil.which(name)
        if found_on_path:
            return Path(found_on_path)
    for path in _install_folders():
        if path.is_file():
            return path
    return None


def _install_folders() -> tuple[Path, ...]:
    """Where the LibreOffice installers put soffice on this platform."""
    if sys.platform == "win32":
        # soffice.com waits for the conversion and keeps the console; try it first.
        roots = [os.environ.get(v) for v in ("ProgramFiles", "ProgramFiles(x86)")]
        found = [Path(r) / "LibreOffice" / "program" for r in roots if r]
        found += [p.parent for p in _WINDOWS_SOFFICE]
        return tuple(
            d / name for d in dict.fromkeys(found) for name in ("soffice.com", "soffice.exe")
        )
    if sys.platform == "darwin":
        return _MACOS_SOFFICE
    return ()


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF."""
    return len(PdfReader(pdf).pages)


def convert(
    docx_paths: Sequence[Path],
    *,
    jobs: int | None = None,
    timeout: float = 60.0,
    soffice: Path | None = None,
    progress: Progress | None = None,
) -> ConversionResult:
    """Convert each .docx to a PDF beside it (same stem) with ``jobs`` soffice workers.

    ``timeout`` is how long one soffice may go without finishing a document
    before it is killed. A batch that crashes is retried file by file; after a
    timeout every soffice is stopped and nothing more is tried (``stalled``):
    a hung LibreOffice costs one timeout, not one per file. Files without a
    PDF are in ``failed`` (their .docx stay). The
    keys of the result are the paths as given. ``progress(docx, pdf_or_None)``
    is called once per file, from the calling thread.
    """
    program = soffice or find_soffice()
    if program is None:
        raise PdfUnavailable()
    files = list(dict.fromkeys(Path(p) for p in docx_paths))
    if not files:
        return ConversionResult({}, {})
    workers = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    # A multiple of ``workers`` batches of nearly equal size, so that no
    # worker is left converting a last batch alone while the others idle.
    count = workers * -(-len(files) // (workers * MAX_BATCH))
    pool = _Pool(Path(program), timeout)
    # Dealt like cards, not cut in slices: forms of one kind (and the covers, which come
    # last) spread over every batch, so the batches take about as long as one another.
    for n in range(count):
        pool.batches.put(files[n::count])
    converted: dict[Path, Path] = {}
    failed: dict[Path, str] = {}
    threads = [threading.Thread(target=pool.work, daemon=True) for _ in range(workers)]
    try:
        for thread in threads:
            thread.start()
        while len(converted) + len(failed) < len(files):
            try:
                # A timeout, so that Ctrl-C reaches this thread on Windows too.
                docx, pdf, reason = pool.done.get(timeout=0.5)
            except queue.Empty:
                if any(t.is_alive() for t in threads) or not pool.done.empty():
                    continue
                # Every worker is gone: LibreOffice hung (the rest is not worth another
                # timeout each), or no temporary folder could be made. Answer for the rest.
                reason = (
                    f"LibreOffice が {timeout:.0f} 秒以上応答しなかったため、PDF 変換を中止しました。"
                    if pool.stalled.is_set()
                    else "LibreOffice の作業フォルダを作れず、PDF にできませんでした。"
                )
                for docx in [f for f in files if f not in converted and f not in failed]:
                    failed[docx] = reason
                    if progress is not None:
                        progress(docx, None)
                break
            if pdf is None:
                failed[docx] = reason
            else:
                converted[docx] = pdf
            if progress is not None:
                progress(docx, pdf)
    finally:
        # Also on KeyboardInterrupt or a failing progress callback: stop the
        # workers and kill whatever soffice is still running.
        pool.stop()
        for thread in threads:
            thread.join()
    return ConversionResult(converted, failed, stalled=pool.stalled.is_set())


class _Pool:
    """The shared state of the workers: the batches left, the results, the live processes."""

    def __init__(self, soffice: Path, timeout: float) -> None:
        self.soffice = soffice
        self.timeout = timeout
        # Here, in the calling thread: a missing fonts.conf stops the run, not a worker.
        self.env = soffice_environment()
        self.batches: queue.Queue[list[Path]] = queue.Queue()
        self.done: queue.Queue[tuple[Path, Path | None, str]] = queue.Queue()
        self._live: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.stalled = threading.Event()  # a soffice timed out: stop, one timeout is enough

    def stop(self) -> None:
        """Take no more batches and kill every soffice still running."""
        self._stopping.set()
        with self._lock:
            live = list(self._live)
        for proc in live:
            _kill_group(proc)

    def work(self) -> None:
        """One worker: its own profile, then batch after batch until none is left."""
        try:
            scratch = tempfile.TemporaryDirectory(
                prefix="hino-forms-soffice-", ignore_cleanup_errors=True
            )
        except OSError:
            return  # convert() answers for the files once every worker has gone
        with scratch as tmp:
            root = Path(tmp)
            profile = (root / "profile").as_uri()
            n = 0
            while not self._stopping.is_set():
                try:
                    batch = self.batches.get_nowait()
                except queue.Empty:
                    return
                n += 1
                left = set(batch)
                try:
                    self._convert_batch(batch, root / f"batch{n}", profile, left)
                except Exception as err:  # noqa: BLE001 — every file must be answered for
                    for docx in sorted(left):
                        self.done.put((docx, None, f"PDF にできませんでした（{err}）。"))

    def _convert_batch(
        self, batch: list[Path], folder: Path, profile: str, left: set[Path]
    ) -> None:
        """Convert a batch in one soffice run; after a crash, retry what is left.

        soffice converts in order, so a crash happened at the first file still
        without a PDF: that one is tried alone, the rest again as one batch. A
        batch is thus never retried file by file (one start each).
        """
        pending = list(batch)
        outcomes: dict[Path, _Outcome] = {}
        runs = 0
        while pending and not self._stopping.is_set():
            runs += 1
            outcome = self._run(pending, folder / f"run{runs}", profile, left)
            missing = [d for d in pending if d in left]
            outcomes.update(dict.fromkeys(missing, outcome))
            if not missing or self.stalled.is_set() or len(pending) == 1:
                break
            if outcome.reason:  # it crashed at ``missing[0]``
                culprit, pending = missing[0], missing[1:]
                runs += 1
                outcomes[culprit] = self._run([culprit], folder / f"run{runs}", profile, left)
            else:  # it ended normally but skipped these: each gets one more try alone
                for docx in missing:
                    runs += 1
                    outcomes[docx] = self._run([docx], folder / f"run{runs}", profile, left)
                pending = []
        for docx in sorted(left):
            if self._stopping.is_set():
                return
            left.discard(docx)
            self.done.put((docx, None, _reason(outcomes[docx])))

    def _run(self, batch: list[Path], folder: Path, profile: str, left: set[Path]) -> _Outcome:
        """One soffice run over ``batch`` inside ``folder``; PDFs are collected as they come."""
        inputs, outputs = folder / "in", folder / "out"
        inputs.mkdir(parents=True)
        # Copies under short numbered names: files of different folders may
        # share a stem, and soffice writes every PDF into the one --outdir.
        args = []
        for i, docx in enumerate(batch):
            alias = inputs / f"{i:04d}.docx"
            try:
                shutil.copyfile(docx, alias)
            except OSError as err:
                return _Outcome(f"Word ファイルを読めませんでした（{err.strerror}）。", "")
            args.append(str(alias))
        command = [
            str(self.soffice),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            PDF_EXPORT,
            "--outdir",
            str(outputs),
            *args,
        ]
        log = folder / "stderr.txt"
        # stderr goes to a file, not a pipe: nothing to drain, and a helper
        # process that keeps the pipe open cannot block the wait.
        with self._lock, log.open("wb") as err_file:
            if self._stopping.is_set():
                return _Outcome("中断されました。", "")
            try:
                proc = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err_file,
                    env=self.env,
                    **_new_group(),
                )
            except OSError as err:
                return _Outcome(
                    f"LibreOffice（{self.soffice}）を起動できませんでした（{err}）。", ""
                )
            self._live.add(proc)
        try:
            finished = self._wait(proc, batch, outputs, left)
        finally:
            _kill_group(proc)  # also the helpers a finished soffice may leave behind
            proc.wait()
            with self._lock:
                self._live.discard(proc)
        self._harvest(batch, outputs, left)
        stderr = _clean(log.read_bytes())
        if not finished:
            self.stalled.set()
            self.stop()
            return _Outcome(
                f"LibreOffice が {self.timeout:.0f} 秒以上応答しなかったため止めました。", stderr
            )
        if self._stopping.is_set():
            return _Outcome("中断されました。", stderr)
        if proc.returncode != 0:
            return _Outcome(
                f"LibreOffice が異常終了しました（終了コード {proc.returncode}）。", stderr
            )
        return _Outcome("", stderr)

    def _wait(
        self, proc: subprocess.Popen[bytes], batch: list[Path], outputs: Path, left: set[Path]
    ) -> bool:
        """Wait for soffice, collecting PDFs; False once it went ``timeout`` s without one."""
        last = time.monotonic()
        while True:
            try:
                proc.wait(timeout=POLL)
                return True
            except subprocess.TimeoutExpired:
                pass
            if self._harvest(batch, outputs, left):
                last = time.monotonic()
            elif time.monotonic() - last > self.timeout:
                return False

    def _harvest(self, batch: list[Path], outputs: Path, left: set[Path]) -> bool:
        """Move each finished PDF beside its .docx and report it; True if there was any."""
        found = False
        for i, docx in enumerate(batch):
            made = outputs / f"{i:04d}.pdf"
            if docx not in left or not _is_whole_pdf(made):
                continue
            target = docx.with_suffix(".pdf")
            try:
                _move_into_place(made, target)
            except OSError:
                continue  # still held open (Windows); the next look takes it
            left.discard(docx)
            self.done.put((docx, target, ""))
            found = True
        return found


def _reason(outcome: _Outcome) -> str:
    """The Japanese reason a file has no PDF, with LibreOffice's own words if it said any."""
    reason = (outcome.reason or "LibreOffice が PDF を作れませんでした。").removesuffix("。")
    if outcome.stderr:
        reason += f"（{outcome.stderr.splitlines()[-1].strip()}）"
    return reason + "。Word で開けるか確かめてください。"


def _clean(stderr: bytes) -> str:
    """soffice's stderr without the harmless javaldx noise every headless start prints."""
    text = stderr.decode("utf-8", errors="replace")
    return "\n".join(line for line in text.splitlines() if line.strip() and "javaldx" not in line)


def _move_into_place(made: Path, target: Path) -> None:
    """Copy ``made`` beside ``target`` and rename it over: a reader never sees half a PDF."""
    with atomic_write(target, private=True) as partial:
        shutil.copyfile(made, partial)
    with contextlib.suppress(OSError):  # the worker's temporary folder goes anyway
        made.unlink()


def _is_whole_pdf(path: Path) -> bool:
    """True when ``path`` is a finished PDF: a run killed mid-write leaves a truncated one."""
    try:
        with path.open("rb") as f:
            if f.read(5) != b"%PDF-":
                return False
            f.seek(max(0, path.stat().st_size - 1024))
            return b"%%EOF" in f.read()
    except OSError:
        return False


def _new_group() -> dict[str, Any]:
    """Popen options that put soffice and its children in a process group of their own."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and every process it started (oosplash, soffice.bin)."""
    if sys.platform == "win32":
        if proc.poll() is None:
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the whole group has already gone
