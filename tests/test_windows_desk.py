"""Windows as a first-class desk (issue 13 item 14), simulated here: a console code page that cannot
write every name (PYTHONIOENCODING=cp932), and the console-or-file branch of the stream set-up."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hino_forms.cli.streams import use_utf8_when_redirected
from tests.builders import contract_row, write_workbook
from tests.conftest import ROOT

YOSHI = "𠮷"  # outside cp932: the name that broke redirected output


def run_cp932(*args: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m hino_forms ARGS`` with its output redirected, as on a Japanese Windows console."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp932"}
    return subprocess.run(
        [sys.executable, "-m", "hino_forms", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def yoshi_book(tmp_path: Path) -> Path:
    return write_workbook(
        tmp_path / "yoshi.xlsx",
        {
            "契約": [
                # Class 1: no form 3 is owed, so no training warning besides the one problem.
                contract_row(
                    業務名=f"{YOSHI}野地区配送業務委託", 責任者氏名=f"{YOSHI}田 一郎", 機密性区分=1
                )
            ],
            # A staff row naming a contract that does not exist: a message quoting 𠮷.
            "従事者": [{"契約番号": f"{YOSHI}-001", "氏名": "架空 五郎"}],
        },
    )


def test_redirected_json_is_utf8_whatever_the_console_code_page(yoshi_book: Path) -> None:
    done = run_cp932("plan", str(yoshi_book), "--format", "json")
    assert b"Traceback" not in done.stderr
    plan = json.loads(done.stdout.decode("utf-8"))
    # 𠮷-001 is one edit from the workbook's T-001: the error counts against it (SPEC §3)
    # and quotes the id as typed, 𠮷 intact through the cp932 console.
    assert [p["contract_id"] for p in plan["problems"]] == ["T-001"]
    assert f"契約「{YOSHI}-001」は契約シートにありません" in plan["problems"][0]["message"]


def test_redirected_messages_are_utf8_whatever_the_console_code_page(yoshi_book: Path) -> None:
    done = run_cp932("check", str(yoshi_book))
    err = done.stderr.decode("utf-8") + done.stdout.decode("utf-8")
    assert "Traceback" not in err
    assert f"契約「{YOSHI}-001」" in err
    assert done.returncode == 1


class _Console(io.TextIOWrapper):
    """A console window: a terminal whose code page is cp932."""

    def isatty(self) -> bool:
        return True


def test_a_console_window_keeps_its_encoding_and_a_file_becomes_utf8(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    console = _Console(io.BytesIO(), encoding="cp932")
    redirected = io.TextIOWrapper(io.BytesIO(), encoding="cp932")
    monkeypatch.setattr(sys, "stdout", console)
    monkeypatch.setattr(sys, "stderr", redirected)
    use_utf8_when_redirected()
    assert console.encoding == "cp932"  # Python writes to a real console as UTF-16 anyway
    assert redirected.encoding == "utf-8"
    redirected.write(f"{YOSHI}\udcff\n")  # a lone surrogate from a mis-decoded name: no crash
    redirected.flush()
    assert redirected.buffer.getvalue() == f"{YOSHI}\\udcff\n".encode()  # type: ignore[attr-defined]
