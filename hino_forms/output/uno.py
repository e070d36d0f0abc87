"""A warm LibreOffice: .docx → .pdf through running unoserver instances; a ``Converter`` for the
pipeline (``WarmConverter(…)(docx_paths, progress)``).

A cold ``soffice`` costs 2–3 s per start; a running unoserver converts a form in about 0.3 s.
unoserver converts one file at a time, so conversions are spread over several servers (local
ones this module starts, or other machines' given as ``host:port``). The server side must run
under a Python that can ``import uno`` (Debian's ``/usr/bin/python3`` with ``python3-uno``;
LibreOffice's own ``python.exe`` on Windows); only its pure-Python client runs in this process.
A server that dies is restarted; while none answers, files go to the soffice pool of ``pdf``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hino_forms.output import pdf
from hino_forms.output.pdf import ConversionResult, Converter, Progress

UNO_PYTHON_ENV = "HINO_FORMS_UNO_PYTHON"  # the Python that has LibreOffice's `uno`
START_TIMEOUT = 60.0  # unoserver sleeps 7 s on start; LibreOffice's first start may take longer
CONVERSION_TIMEOUT = 60  # a server whose LibreOffice hangs this long on one file exits (restarted)
STOP_AFTER = 2000  # conversions before a server restarts its LibreOffice: bounds a slow leak
CHECK_EVERY = 2.0  # seconds between looks at whether each local server still answers


@dataclass(frozen=True)
class Address:
    """Where a unoserver listens (its XML-RPC port)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> Address:
        """``host:port`` (``[::1]:2003`` for IPv6) → Address; ValueError when it is not one."""
        host, sep, port = text.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"「{text}」は「ホスト名:ポート番号」の形ではありません")
        return cls(host.strip("[]"), int(port))


def answers(address: Address, timeout: float = 2.0) -> bool:
    """True when a unoserver at ``address`` answers its ``info`` call."""
    try:
        _proxy(address, timeout).info()
    except (OSError, xmlrpc.client.Error):
        return False
    return True


def uno_python() -> Path | None:
    """A Python that can import ``uno``: $HINO_FORMS_UNO_PYTHON, Debian's python3, LibreOffice's own."""
    candidates: list[Path] = []
    if os.environ.get(UNO_PYTHON_ENV):
        candidates.append(Path(os.environ[UNO_PYTHON_ENV]))
    soffice = pdf.find_soffice()
    if soffice is not None:  # Windows and macOS: LibreOffice ships its own Python with uno
        program = soffice.resolve().parent
        candidates += [program / "python.exe", program / "python", program / "python3"]
    candidates.append(Path("/usr/bin/python3"))
    for python in candidates:
        if python.is_file() and _imports_uno(python):
            return python
    return None


def _imports_uno(python: Path) -> bool:
    try:
        done = subprocess.run(
            [str(python), "-c", "import uno"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class LocalServer:
    """One unoserver on this machine: its own ports, profile and process group; restartable."""

    def __init__(self, python: Path, root: Path, soffice: Path | None = None) -> None:
        self.python = python
        self.soffice = soffice or pdf.find_soffice()
        self.root = root  # this server's folder: profile, log, the unoserver code it runs
        self.address = Address("127.0.0.1", _free_port())
        self.uno_port = _free_port()
        self.starts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def log(self) -> Path:
        return self.root / "unoserver.log"

    def start(self) -> None:
        """Start (or restart) the server; returns at once, ``answers`` says when it is ready."""
        with self._lock:
            if self._proc is not None:  # a restart: the old group goes first, pipe and all
                pdf._kill_group(self._proc)
                self._proc.wait()
                if self._proc.stdin is not None:
                    self._proc.stdin.close()
            self.root.mkdir(parents=True, exist_ok=True)
            code = _unoserver_code(self.root / "code")
            profile = self.root / "profile"
            command = [
                str(self.python),
                "-c",
                _WATCHDOG,
                "--interface",
                self.address.host,
                "--port",
                str(self.address.port),
                "--uno-port",
                str(self.uno_port),
                "--user-installation",
                str(profile),
                "--conversion-timeout",
                str(CONVERSION_TIMEOUT),
                "--stop-after",
                str(STOP_AFTER),
            ]
            if self.soffice is not None:
                command += ["--executable", str(self.soffice)]
            env = pdf.soffice_environment()  # the same fonts as the cold path
            env["PYTHONPATH"] = str(code)
            with self.log.open("ab") as log:
                self._proc = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,  # never written: its end tells the server we are gone
                    stdout=log,
                    stderr=log,
                    env=env,
                    cwd=self.root,
                    **pdf._new_group(),  # its own group: stopping it reaches only its LibreOffice
                )
            self.starts += 1

    def running(self) -> bool:
        """True while the server process lives (it may not answer yet)."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self, grace: float = 5.0) -> None:
        """Stop the server and its LibreOffice (its watchdog kills its group), surely."""
        self.terminate()
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        pdf._kill_group(proc)  # whatever is left of its LibreOffice
        proc.wait()

    def terminate(self) -> None:
        """Ask the server to stop (its stdin closes); ``stop`` waits and makes sure."""
        proc = self._proc
        if proc is not None and proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()


def _soffice_pool(docx_paths: Sequence[Path], progress: Progress | None = None) -> ConversionResult:
    """The cold path: ``pdf.convert``'s pool of soffice workers (LibreOffice found as usual)."""
    return pdf.convert(docx_paths, progress=progress)


class WarmConverter:
    """Conversions spread over unoservers, local ones kept alive; the soffice pool as fallback.

    A ``pdf.Converter`` for the pipeline's ``Options.converter``: ``converter(docx_paths, progress)``.
    """

    def __init__(
        self,
        addresses: Sequence[Address] = (),
        *,
        local: int = 0,
        python: Path | None = None,
        timeout: float = 60.0,
        fallback: Converter | None = None,
    ) -> None:
        self._remote = list(addresses)
        self.timeout = timeout  # seconds one file may take on a server before it is given up
        self._fallback = fallback or _soffice_pool
        self._scratch = Path(tempfile.mkdtemp(prefix="hino-forms-uno-"))
        self.servers: list[LocalServer] = []
        self.note = ""  # why no local server runs (Japanese), for the operator
        if local:
            found = python or uno_python()
            if found is None:
                self.note = (
                    "LibreOffice の uno を使える Python が見つからないため、常駐の変換を使わず"
                    "その都度 LibreOffice を起動します（Debian では python3-uno を入れてください）"
                )
            else:
                self.servers = [
                    LocalServer(found, self._scratch / f"server{i}") for i in range(local)
                ]
        self._up: set[Address] = set()
        self.served: Counter[Address] = Counter()  # conversions per server, for the operator
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None

    @property
    def addresses(self) -> list[Address]:
        """Every server this converter may use, local first."""
        return [s.address for s in self.servers] + self._remote

    def start(self) -> None:
        """Start the local servers and the watcher that restarts them; returns at once."""
        self._watch = threading.Thread(target=self._watch_loop, name="uno-watch", daemon=True)
        self._watch.start()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> bool:
        """Wait until every server answers (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._look()
            if self.addresses and set(self.addresses) <= self._up:
                return True
            time.sleep(0.25)
        return False

    def ready(self) -> list[Address]:
        """The servers that answered at the last look."""
        return [a for a in self.addresses if a in self._up]

    def close(self) -> None:
        """Stop the watcher and every local server; remove their profiles."""
        self._stop.set()
        if self._watch is not None:
            self._watch.join(timeout=5)
        for server in self.servers:
            server.terminate()  # all at once: each takes a moment to stop its LibreOffice
        for server in self.servers:
            server.stop()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _watch_loop(self) -> None:
        for server in self.servers:
            server.start()
        while not self._stop.wait(CHECK_EVERY if self._up else 0.5):
            self._look()
            for server in self.servers:
                if not server.running() and not self._stop.is_set():
                    server.start()  # died (crash, --stop-after, a hung conversion): again

    def _look(self) -> None:
        for address in self.addresses:
            if answers(address, timeout=1.0):
                self._up.add(address)
            else:
                self._up.discard(address)

    def __call__(
        self, docx_paths: Sequence[Path], progress: Progress | None = None
    ) -> ConversionResult:
        """Convert each .docx to a PDF beside it, like ``pdf.convert``, over the servers that answer."""
        files = list(dict.fromkeys(Path(p) for p in docx_paths))
        converted: dict[Path, Path] = {}
        failed: dict[Path, str] = {}
        todo: queue.Queue[Path] = queue.Queue()
        for f in files:
            todo.put(f)
        done: queue.Queue[tuple[Path, Path | None, str]] = queue.Queue()
        servers = self.ready()
        workers = [
            threading.Thread(target=self._work, args=(a, todo, done, self.timeout), daemon=True)
            for a in servers
        ]
        for w in workers:
            w.start()
        answered = 0
        while answered < len(files):
            try:
                docx, made, reason = done.get(timeout=0.5)
            except queue.Empty:
                if any(w.is_alive() for w in workers) or not done.empty():
                    continue
                break  # every server has gone: the rest go to the soffice pool
            answered += 1
            if made is None:
                failed[docx] = reason
            else:
                converted[docx] = made
            if progress is not None:
                progress(docx, made)
        rest = [f for f in files if f not in converted and f not in failed]
        stalled = False
        if rest:
            cold = self._fallback(rest, progress)
            converted.update(cold.converted)
            failed.update(cold.failed)
            stalled = cold.stalled
        return ConversionResult(converted, failed, stalled)

    def _work(
        self,
        address: Address,
        todo: queue.Queue[Path],
        done: queue.Queue[tuple[Path, Path | None, str]],
        timeout: float,
    ) -> None:
        """One server's share: files one at a time; on a lost connection, hand the file back."""
        while True:
            try:
                docx = todo.get_nowait()
            except queue.Empty:
                return
            target = docx.with_suffix(".pdf")
            partial = target.with_name(f".{target.name}.partial")
            try:
                data = _proxy(address, timeout + 5).convert(
                    None, xmlrpc.client.Binary(docx.read_bytes()), None, "pdf"
                )
                partial.write_bytes(data.data)
                os.replace(partial, target)
            except xmlrpc.client.Fault as err:
                done.put((docx, None, f"PDF にできませんでした（{err.faultString.strip()}）。"))
                continue
            except OSError:
                todo.put(docx)  # this server is gone: another (or the soffice pool) takes the file
                self._up.discard(address)
                return
            finally:
                partial.unlink(missing_ok=True)
            self.served[address] += 1
            done.put((docx, target, ""))


# Runs unoserver in the uno Python with a watchdog: when its stdin reaches end of file (this
# process closed it, or died without a word), it kills its own process group, LibreOffice
# included. unoserver's own SIGTERM handling can leave LibreOffice's launcher behind.
_WATCHDOG = """
import os, signal, sys, threading
def watch():
    sys.stdin.buffer.read()
    if hasattr(os, "killpg"):
        os.killpg(0, signal.SIGKILL)
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
sys.argv[0] = "unoserver"
from unoserver.server import main
sys.exit(main())
"""


def _proxy(address: Address, timeout: float) -> Any:
    """An XML-RPC proxy to unoserver with a socket timeout (its own client retries for 40 s)."""
    host = f"[{address.host}]" if ":" in address.host else address.host
    return xmlrpc.client.ServerProxy(
        f"http://{host}:{address.port}", allow_none=True, transport=_Transport(timeout)
    )


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: Any) -> Any:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _unoserver_code(folder: Path) -> Path:
    """A folder holding only unoserver (and its metadata), for the uno Python's PYTHONPATH.

    The project's own site-packages are built for another interpreter; the server needs
    nothing from them but unoserver, which is pure Python.
    """
    import unoserver

    package = Path(unoserver.__file__).parent
    if not (folder / "unoserver").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(package, folder / "unoserver", ignore=shutil.ignore_patterns("__pycache__"))
        for info in package.parent.glob("unoserver-*.dist-info"):
            shutil.copytree(info, folder / info.name)
    return folder
