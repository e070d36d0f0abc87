"""Hostile and odd workbooks (issue 13 items 6, 10, 11): refused or read with a message naming the
real cause, never a crash, an exhausted machine or 「空欄です」 for a cell that is not blank."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from hino_forms.errors import BadOption, InputTooLarge, InputUnusable
from hino_forms.models import Records, Severity
from hino_forms.workbook import schema
from hino_forms.workbook.limits import ENV_MAX_CELLS, ENV_MAX_MB, Limits, check_xlsx
from hino_forms.workbook.reader import read_workbook
from tests.builders import contract_row
from tests.conftest import ROOT, SAMPLE, CliResult
from tests.rawxlsx import rows_xml, write_xlsx

CONTRACT_HEADERS = list(schema.CONTRACT.headers)
STAFF_HEADERS = list(schema.STAFF.headers)


def contract_rows(*overrides: dict[str, object]) -> list[list[object]]:
    """The 契約 sheet as rows (header first) of ``contract_row`` with text dates."""
    rows: list[list[object]] = [CONTRACT_HEADERS]
    for i, over in enumerate(overrides or ({},)):
        row = contract_row(
            契約番号=f"T-{i + 1:03d}",
            契約締結日="2025/3/25",
            契約開始日="2025/4/1",
            契約終了日="2026/3/31",
        )
        row.update(over)
        rows.append([row.get(h) for h in CONTRACT_HEADERS])
    return rows


def run_limited(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``hino-forms ARGS`` in a process capped at 2 GiB of address space: a regression that
    allocates for a hostile file fails this test instead of taking the machine down."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run(
        [sys.executable, "-m", "hino_forms", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
    )


# ---------------------------------------------------------------- item 6: bounded memory


def test_one_value_in_the_last_cell_of_the_grid_is_refused_before_reading(tmp_path: Path) -> None:
    # 5 KB on disk; read naively it asks for 1,048,576 × 16,384 cells.
    book = write_xlsx(
        tmp_path / "xfd.xlsx",
        {
            "契約": rows_xml(contract_rows())
            + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        },
    )
    assert book.stat().st_size < 10_000
    result = run_limited("check", str(book))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "「契約」シートは XFD1048576 まで使われていて" in result.stderr
    assert "削除して保存し直してください" in result.stderr


def test_a_zip_bomb_is_refused_by_its_unzipped_size(tmp_path: Path) -> None:
    # 3 MB of blanks inside the sheet squeeze to a few KB; the limit is lowered to 2 MB for the test.
    padding = " " * (3 * 1024 * 1024)
    book = write_xlsx(tmp_path / "bomb.xlsx", {"契約": rows_xml(contract_rows()) + padding})
    assert book.stat().st_size < 50_000
    result = run_limited("check", str(book), env={ENV_MAX_MB: "2"})
    assert result.returncode == 2
    assert "展開すると 3 MB になり、上限 2 MB を超えるため読みません" in result.stderr
    assert ENV_MAX_MB in result.stderr
    assert run_limited("check", str(book)).returncode == 0  # the default limit is generous


def test_a_zip_whose_sheet_inflates_beyond_its_declared_size_is_refused(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "liar.xlsx", {"契約": rows_xml(contract_rows())})
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    # Declare 100 bytes in both the local header and the central directory.
    for at in (
        info.header_offset + 22,
        data.rfind(real, 0, data.rfind(b"xl/worksheets/sheet1.xml")),
    ):
        data[at : at + 4] = (100).to_bytes(4, "little")
    book.write_bytes(bytes(data))
    with pytest.raises(InputUnusable, match="「契約」シートが壊れています"):
        read_workbook(book)


def test_the_cell_limit_counts_from_a1_to_the_furthest_cell(tmp_path: Path) -> None:
    book = write_xlsx(
        tmp_path / "wide.xlsx",
        {
            "契約": rows_xml(contract_rows()),
            "従事者": '<row r="3000"><c r="AB3000"><v>1</v></c></row>',
        },
    )
    scans = check_xlsx(book, Limits())
    assert (scans["従事者"].rows, scans["従事者"].columns) == (3000, 28)
    with pytest.raises(InputTooLarge) as err:
        check_xlsx(book, Limits(max_cells=80_000))
    assert "「従事者」シートは AB3000 まで使われていて（3,000 行 × 28 列）" in str(err.value)
    assert "80,000 セル" in str(err.value)


def test_rows_and_cells_without_an_address_are_counted_where_a_reader_puts_them(
    tmp_path: Path,
) -> None:
    # Some writers leave out r="…": positions then follow from the order of the tags.
    implicit = (
        "<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row><row><c><v>1</v></c></row>"
        '<row r="900000"><c><v>1</v></c></row>'
    )
    book = write_xlsx(
        tmp_path / "implicit.xlsx", {"契約": rows_xml(contract_rows()), "研修": implicit}
    )
    scan = check_xlsx(book, Limits())["研修"]
    assert (scan.rows, scan.columns) == (900_000, 3)
    with pytest.raises(InputTooLarge, match="900,000 行"):
        check_xlsx(book, Limits(max_rows=500_000))


def test_limits_come_from_the_environment_and_bad_values_are_named() -> None:
    limits = Limits.from_env({ENV_MAX_CELLS: "20,000,000", ENV_MAX_MB: "64"})
    assert limits.max_cells == 20_000_000 and limits.max_uncompressed_bytes == 64 * 1024 * 1024
    assert Limits.from_env({}) == Limits()
    with pytest.raises(BadOption, match=f"環境変数 {ENV_MAX_CELLS} の値「たくさん」は使えません"):
        Limits.from_env({ENV_MAX_CELLS: "たくさん"})


def test_two_hundred_thousand_rows_of_real_data_are_still_read(tmp_path: Path) -> None:
    n = 200_000
    staff = [STAFF_HEADERS] + [
        [f"T-{i % 20 + 1:03d}", None, f"架空 {i}", "保守部", "保守担当", "有", "無", "2025/3/1"]
        for i in range(n)
    ]
    book = write_xlsx(
        tmp_path / "ledger.xlsx",
        {"契約": rows_xml(contract_rows(*({} for _ in range(20)))), "従事者": rows_xml(staff)},
    )
    records = read_workbook(book)
    assert len(records.contracts) == 20
    assert len(records.staff) == n
    assert records.staff[-1].name == f"架空 {n - 1}" and records.staff[-1].row == n + 1
    assert not [p for p in records.problems if p.severity is Severity.ERROR]


# ---------------------------------------------------------------- item 10: control characters


def patched_sample(tmp_path: Path, edits: dict[tuple[str, str], str]) -> Path:
    """The sample with ``{(sheet, cell): text}`` written, where @@VT@@ and @@NUL@@ become the control
    characters Excel stores as _x000B_ and _x0000_ (openpyxl refuses to write them itself)."""
    wb = load_workbook(SAMPLE)
    for (sheet, cell), text in edits.items():
        wb[sheet][cell] = text
    staged = tmp_path / "staged.xlsx"
    wb.save(staged)
    out = tmp_path / "control.xlsx"
    with zipfile.ZipFile(staged) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            data = data.replace(b"@@VT@@", b"_x000B_").replace(b"@@NUL@@", b"_x0000_")
            dst.writestr(info, data)
    return out


CONTROL_EDITS = {
    ("契約", "B2"): "住民窓口受付業務委託@@VT@@（本庁舎）",  # Word's manual line break
    ("従事者", "C2"): "鈴木@@NUL@@ 一郎",
    ("契約", "C2"): "\ufeff市民課\u200b",  # pasted from the web
}


def test_control_characters_are_cleaned_and_reported_at_their_cell(tmp_path: Path) -> None:
    records = read_workbook(patched_sample(tmp_path, CONTROL_EDITS))
    r7 = next(c for c in records.contracts if c.contract_id == "R7-001")
    assert r7.work_name == "住民窓口受付業務委託\n（本庁舎）"
    assert r7.department == "市民課"
    assert "鈴木 一郎" in {s.name for s in records.staff if s.contract_id == "R7-001"}
    [nul] = [p for p in records.problems if (p.sheet, p.cell) == ("従事者", "C2")]
    assert nul.severity is Severity.WARNING and nul.contract_id == "R7-001"
    assert "制御文字（U+0000）を取り除きました" in nul.message
    assert not [p for p in records.problems if p.sheet == "契約" and p.cell in ("B2", "C2")]


def test_control_characters_never_break_the_lists_generate_and_plan_write(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    book = patched_sample(tmp_path, CONTROL_EDITS)
    out = tmp_path / "out"
    done = cli("generate", book, "--out", out, "--no-pdf", "--contract", "R7-001")
    assert done.code == 0, done.err
    overview = load_workbook(out / "提出予定一覧.xlsx")
    rows = list(overview["問題"].iter_rows(values_only=True))
    column = rows[0].index("内容")  # a run's 一覧 also names each problem's bundles
    messages = [str(row[column]) for row in rows]
    assert any("従事者!C2" in m and "U+0000" in m for m in messages)
    form2 = next(out.rglob("様式第2号*.docx"))
    text = "\n".join(p.text for p in Document(str(form2)).paragraphs) + "".join(
        c.text for t in Document(str(form2)).tables for r in t.rows for c in r.cells
    )
    assert "鈴木 一郎" in text and "\x00" not in text and "\x0b" not in text

    plan = tmp_path / "plan.xlsx"
    planned = cli("plan", book, "--format", "xlsx", "--out", plan)
    assert planned.code == 0, planned.err
    assert load_workbook(plan).active.max_row > 1


# ---------------------------------------------------------------- item 11: the real cause


def book_with(tmp_path: Path, sheets: dict[str, str], hidden: tuple[str, ...] = ()) -> Path:
    return write_xlsx(tmp_path / "odd.xlsx", sheets, hidden=hidden)


def test_two_sheets_that_differ_only_by_spaces_or_width_are_refused(tmp_path: Path) -> None:
    contracts = rows_xml(contract_rows())
    book = book_with(tmp_path, {"契約": contracts, "契約\u3000": contracts})
    with pytest.raises(InputUnusable) as err:
        read_workbook(book)
    assert "「契約」と読めるシートが2つあります" in str(err.value)
    assert "「契約」と「契約［全角空白］」" in str(err.value)

    wide = book_with(tmp_path, {"契約": contracts, "研修": "", "研修 ": ""})
    with pytest.raises(InputUnusable, match="「研修」と「研修［空白］」"):
        read_workbook(wide)


def test_a_hidden_sheet_is_read_and_said_to_be_hidden(tmp_path: Path) -> None:
    book = book_with(
        tmp_path,
        {"契約": rows_xml(contract_rows()), "従事者": rows_xml([STAFF_HEADERS]), "旧データ": ""},
        hidden=("従事者", "旧データ"),
    )
    messages = {p.sheet: p.message for p in read_workbook(book).problems}
    assert "「従事者」シートは非表示ですが、このシートの内容を読み込みます" in messages["従事者"]
    assert "非表示のシート「旧データ」は使わないため読み飛ばします" in messages["旧データ"]


def test_bom_and_zero_width_characters_in_headers_are_ignored(tmp_path: Path) -> None:
    headers = list(CONTRACT_HEADERS)
    headers[0] = "\ufeff契約番号"
    headers[1] = "業務名\u200b"
    rows = contract_rows()
    book = book_with(tmp_path, {"契約": rows_xml([headers, *rows[1:]])})
    records = read_workbook(book)
    assert [c.work_name for c in records.contracts] == [rows[1][1]]
    assert not [p for p in records.problems if p.cell.endswith("1")]


def read_cell_xml(tmp_path: Path, column: str, cell_xml: str) -> tuple[Records, str]:
    """Records of a 契約 sheet whose row 2 has ``cell_xml`` as its ``column`` cell."""
    rows = contract_rows()
    at = CONTRACT_HEADERS.index(column)
    letter = chr(65 + at)
    rows[1][at] = None
    data = rows_xml(rows)
    end = data.index("</row>", data.index('<row r="2">'))
    data = data[:end] + cell_xml.format(ref=f"{letter}2") + data[end:]
    records = read_workbook(book_with(tmp_path, {"契約": data}))
    return records, f"{letter}2"


def test_a_ref_error_is_named_not_called_blank(tmp_path: Path) -> None:
    records, cell = read_cell_xml(
        tmp_path, "契約終了日", '<c r="{ref}" t="e"><f>#REF!+1</f><v>#REF!</v></c>'
    )
    [problem] = [p for p in records.problems if p.cell == cell]
    assert problem.severity is Severity.ERROR and problem.contract_id == "T-001"
    assert "エラー値 #REF! になっています" in problem.message
    assert "空欄" not in problem.message
    assert records.contracts == ()


def test_a_formula_saved_without_its_result_is_named_not_called_blank(tmp_path: Path) -> None:
    records, cell = read_cell_xml(
        tmp_path, "業務名", '<c r="{ref}"><f>VLOOKUP(A2,台帳!A:B,2,FALSE)</f><v></v></c>'
    )
    [problem] = [p for p in records.problems if p.cell == cell]
    assert "数式ですが、計算結果がファイルに保存されていません" in problem.message
    assert "空欄" not in problem.message


def test_an_error_in_the_contract_id_does_not_become_an_id(tmp_path: Path) -> None:
    records, cell = read_cell_xml(tmp_path, "契約番号", '<c r="{ref}" t="e"><v>#N/A</v></c>')
    assert all(p.contract_id != "#N/A" for p in records.problems)
    assert any(p.cell == cell and "#N/A" in p.message for p in records.problems)


def test_a_password_protected_workbook_is_called_so(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    # Made with msoffcrypto-tool from a one-sheet fictional workbook (password Hino-2025!).
    protected = ROOT / "tests" / "data" / "password_protected.xlsx"
    done = cli("check", protected)
    assert done.code == 2
    assert (
        "password_protected.xlsx はパスワードで保護（暗号化）されているため読めません" in done.err
    )
    # Any other OLE file calamine cannot read (a minimal compound-file header) may be one too.
    ole = tmp_path / "ole.xlsx"
    ole.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    done = cli("check", ole)
    assert done.code == 2 and "パスワードで保護（暗号化）されているか" in done.err


def test_a_header_that_is_a_formula_error_is_named(tmp_path: Path) -> None:
    def header_error(header: str) -> str:
        letter = chr(65 + CONTRACT_HEADERS.index(header))
        return rows_xml(contract_rows()).replace(
            f'<c r="{letter}1" t="inlineStr"><is><t xml:space="preserve">{header}</t></is></c>',
            f'<c r="{letter}1" t="e"><f>台帳!{letter}1</f><v>#REF!</v></c>',
        )

    records = read_workbook(book_with(tmp_path, {"契約": header_error("解除日")}))
    [header] = [p for p in records.problems if p.cell == "J1"]
    assert "見出しのセルが数式（#REF!）のため、この列は無視します" in header.message
    with pytest.raises(InputUnusable) as err:
        read_workbook(book_with(tmp_path, {"契約": header_error("業務名")}))
    assert "必須の列 「業務名」 がありません。見出しのセル B1 が数式のエラー" in str(err.value)


def test_a_part_compressed_like_a_zip_bomb_is_refused_below_the_size_limit(tmp_path: Path) -> None:
    # 40 MB of one repeated byte squeeze ~1000×: no real sheet does that.
    book = write_xlsx(
        tmp_path / "bomb.xlsx", {"契約": rows_xml(contract_rows()) + " " * (40 * 1024 * 1024)}
    )
    with pytest.raises(InputTooLarge) as err:
        check_xlsx(book, Limits())
    assert "xl/worksheets/sheet1.xml" in str(err.value) and "zip 爆弾の疑い" in str(err.value)
    assert check_xlsx(book, Limits(max_ratio=10_000))["契約"].rows == 2


@pytest.mark.soffice
def test_an_xls_workbook_is_held_to_the_same_limits(tmp_path: Path) -> None:
    # An .xls has no zip to scan: its extent is checked once calamine has the sheet.
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path),
            str(SAMPLE),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    xls = tmp_path / "sample.xls"
    assert run_limited("check", str(xls)).returncode == 0
    refused = run_limited("check", str(xls), env={ENV_MAX_CELLS: "100"})
    assert refused.returncode == 2
    assert "sample.xls の「契約」シートは X9 まで使われていて（9 行 × 24 列）" in refused.stderr


def test_a_formula_whose_result_is_empty_is_blank_where_optional_and_named_where_required(
    tmp_path: Path,
) -> None:
    # What Excel writes for =IF(…,"",…): the result "" is stored as t="str" with an empty value.
    empty = '<c r="{ref}" t="str"><f>IF(TRUE,"","x")</f><v></v></c>'
    records, cell = read_cell_xml(tmp_path, "解除日", empty)
    assert [c.terminated for c in records.contracts] == [None]
    assert not [p for p in records.problems if p.cell == cell]
    records, cell = read_cell_xml(tmp_path, "担当課", empty)
    [problem] = [p for p in records.problems if p.cell == cell]
    assert "「担当課」は数式で、その結果が空欄です" in problem.message


def test_a_row_longer_than_the_scan_chunk_is_counted_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scan reads 8 MB at a time; with 1 KB chunks a 12 KB row spans many of them.
    from hino_forms.workbook import limits

    monkeypatch.setattr(limits, "_CHUNK", 1024)
    long_row = '<row r="3">' + "<c><v>1</v></c>" * 1000 + "</row>"
    book = write_xlsx(tmp_path / "long.xlsx", {"契約": rows_xml(contract_rows()), "研修": long_row})
    scan = check_xlsx(book, Limits())
    assert (scan["研修"].rows, scan["研修"].columns) == (3, 1000)
    assert (scan["契約"].rows, scan["契約"].columns) == (2, len(CONTRACT_HEADERS))


@pytest.mark.parametrize("far", ["A900000", "B300000", "A200002"])
def test_a_cell_naming_a_row_beyond_its_row_tag_is_counted_where_it_points(
    tmp_path: Path, far: str
) -> None:
    # calamine places a cell by its own address: a row tag saying 200001 proves nothing.
    data = f'<row r="200001"><c r="{far}"><v>1</v></c></row>'
    book = write_xlsx(tmp_path / "far.xlsx", {"契約": rows_xml(contract_rows()), "研修": data})
    assert check_xlsx(book, Limits())["研修"].rows == int(far.lstrip("AB"))
