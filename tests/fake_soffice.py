"""A fake soffice (a small Python script) that converts, crashes, hangs or writes a corrupt PDF on cue.

What an input says decides what happens: "ok", "broken" (no PDF, an error
line), "hang". A real .docx (a zip, not text) is "ok" unless the
environment says otherwise: FAKE_SOFFICE=hang (every run hangs) or
FAKE_SOFFICE=corrupt-first (the very first single document converted is a corrupt PDF; a
joined one, several forms in one, is not: its PDF could not be cut, and its forms come again
one by one), or
FAKE_SOFFICE=corrupt-covers (every cover, 送付書, comes back corrupt).
Every process it starts is recorded, so a test can check none outlives it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfWriter

FAKE = """\
#!{python}
import os, shutil, signal, subprocess, sys, time
state = {state!r}
def record(pid):
    with open(os.path.join(state, "pids"), "a") as f:
        f.write(f"{{pid}}\\n")
record(os.getpid())
with open(os.path.join(state, "starts"), "a") as f:
    f.write(f"{{os.getpid()}}\\n")
sys.stderr.write("Warning: failed to launch javaldx - java may not function correctly\\n")
sys.stderr.flush()
args = sys.argv[1:]
outdir = args[args.index("--outdir") + 1]
inputs = [a for a in args if a.endswith(".docx")]
os.makedirs(outdir, exist_ok=True)
mode = os.environ.get("FAKE_SOFFICE", "")
def once(name):
    try:
        os.close(os.open(os.path.join(state, name), os.O_CREAT | os.O_EXCL))
        return True
    except FileExistsError:
        return False
first = once("first")
def is_cover(path):
    import zipfile
    try:
        return "送付書" in zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError):
        return False
def is_joined(path):
    import zipfile
    try:
        return zipfile.ZipFile(path).read("word/document.xml").count(b"<w:sectPr") > 1
    except (zipfile.BadZipFile, KeyError):
        return False
def helper():
    # Like soffice.bin under oosplash: a child in the same process group.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    record(child.pid)
for n, path in enumerate(inputs):
    try:
        what = open(path, encoding="utf-8").read().strip()
    except UnicodeDecodeError:
        what = "ok"  # a real .docx
    if what == "hang" or mode == "hang":
        helper()
        time.sleep(600)
    if what == "broken":
        sys.stderr.write("Error: source file could not be loaded\\n")
        continue
    stem = os.path.splitext(os.path.basename(path))[0]
    target = os.path.join(outdir, stem + ".pdf")
    if (mode == "corrupt-first" and not is_joined(path) and once("corrupted")) or (
        mode == "corrupt-covers" and what == "ok" and is_cover(path)
    ):
        with open(target, "wb") as f:
            f.write(b"%PDF-1.7\\nthis is not a PDF body\\n%%EOF\\n")
        continue
    shutil.copyfile({pdf!r}, target)
    if {die_first!r} and first and n == 0 and len(inputs) > 1:
        helper()
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies mid-batch
"""

MakeFake = Callable[..., Path]


@pytest.fixture(name="fake_soffice")
def fake_soffice_fixture(tmp_path: Path) -> Iterator[tuple[MakeFake, Path]]:
    """Make a fake soffice; returns (make(die_first=…) → script path, state folder with its pids)."""
    state = tmp_path / "fake-state"
    state.mkdir()
    prepared = tmp_path / "prepared.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(prepared)

    def make(die_first: bool = False) -> Path:
        script = tmp_path / "fake-soffice"
        text = FAKE.format(
            python=sys.executable, state=str(state), pdf=str(prepared), die_first=die_first
        )
        script.write_text(text, encoding="utf-8")
        script.chmod(0o755)
        return script

    yield make, state
    for pid in recorded_pids(state):  # never leave a stray even when a test fails
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def recorded_pids(state: Path) -> list[int]:
    """Every process the fake started (soffice runs and their helpers)."""
    path = state / "pids"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def soffice_starts(state: Path) -> int:
    """How many times the fake soffice itself was started."""
    path = state / "starts"
    return len(path.read_text().split()) if path.exists() else 0


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.is_dir() and Path("/proc/self").exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def assert_none_alive(state: Path) -> None:
    """Every process the fake started has ended."""
    pids = recorded_pids(state)
    assert pids, "the fake soffice never ran"
    deadline = time.monotonic() + 5  # SIGKILL is immediate; give the kernel a moment
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in pids if alive(p)] == []
