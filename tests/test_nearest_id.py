"""A mistyped 契約番号 or 再委託先名称 names the id it was probably meant to be (SPEC v2 §3)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.conftest import SAMPLE, CliResult


def _typo(tmp_path: Path, sheet: str, cell: str, value: str) -> Path:
    book = tmp_path / "typo.xlsx"
    shutil.copy(SAMPLE, book)
    wb = openpyxl.load_workbook(book)
    wb[sheet][cell] = value
    wb.save(book)
    return book


def test_a_near_contract_id_is_named_and_that_contract_waits(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    book = _typo(tmp_path, "従事者", "A3", "R7-01")
    done: CliResult = cli("plan", book, "--format", "json")
    problems = json.loads(done.out)["problems"]
    [typo] = [p for p in problems if (p["sheet"], p["cell"]) == ("従事者", "A3")]
    assert typo["severity"] == "error"
    assert typo["contract_id"] == "R7-001"  # counts against the contract it was meant for
    assert "「R7-001」の誤りではありませんか" in typo["message"]
    assert "R7-001 の様式第2号・様式第3号にこの行が載りません" in typo["message"]
    planned = {s["contract_id"] for s in json.loads(done.out)["submissions"]}
    assert "R7-001" not in planned and "R7-002" in planned


def test_an_id_near_none_keeps_the_plain_message(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    book = _typo(tmp_path, "従事者", "A3", "X9-999")
    done: CliResult = cli("plan", book, "--format", "json")
    [typo] = [
        p for p in json.loads(done.out)["problems"] if (p["sheet"], p["cell"]) == ("従事者", "A3")
    ]
    assert typo["contract_id"] == "X9-999"
    assert "誤りではありませんか" not in typo["message"]
    assert "契約シートに行を追加してください" in typo["message"]
