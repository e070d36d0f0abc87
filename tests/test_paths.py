"""Output names are safe: nothing a workbook says can escape the output folder (SPEC §5)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hino_forms.models import Submission, Submitter, Timing
from hino_forms.output.bundle import group_bundles
from hino_forms.output.layout import inside, safe_name, timing_folder
from hino_forms.workbook.reader import read_workbook
from tests.conftest import SAMPLE


@pytest.mark.parametrize(
    "raw",
    [
        "../../x/..\\R7:001*",
        "..",
        ".",
        "a/b",
        'x<y>z:"|?*',
        "CON",
        "nul.txt",
        "名前\x00制御",
        "   ",
    ],
)
def test_safe_name_has_no_separators_dots_or_forbidden_characters(raw: str) -> None:
    name = safe_name(raw)
    assert "/" not in name and "\\" not in name
    assert ".." not in name
    assert not any(c in name for c in '<>:"|?*\x00')
    assert name not in ("", ".", "..")
    assert name.split(".")[0].upper() not in {"CON", "NUL"}


def test_safe_name_keeps_ordinary_ids_and_japanese_as_written() -> None:
    assert safe_name("R7-001") == "R7-001"
    assert (
        safe_name("様式第4号-②_重要情報の保護に関する報告書")
        == "様式第4号-②_重要情報の保護に関する報告書"
    )


def test_names_that_had_to_change_do_not_collide() -> None:
    assert safe_name("A/B") != safe_name("A_B")
    assert safe_name("A:B") != safe_name("A?B")


def test_long_names_are_bounded_in_bytes() -> None:
    name = safe_name("株式会社" * 100)
    assert len(name.encode()) <= 120


def test_a_hostile_id_stays_inside_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / safe_name("../../x/..\\R7:001*") / "file.docx"
    assert inside(out, target) == target
    with pytest.raises(ValueError):
        inside(out, out / ".." / "escape.docx")


def test_timing_folders_follow_spec_5() -> None:
    def sub(timing: Timing, day: date, fy: int | None = None) -> Submission:
        return Submission(contract_id="R7-001", form=4, timing=timing, date=day, fiscal_year=fy)

    assert timing_folder(sub(Timing.CONCLUSION, date(2025, 3, 25))) == "①契約締結時_2025-03-25"
    assert timing_folder(sub(Timing.FISCAL_YEAR, date(2026, 4, 1), 2026)) == "②年度切替時_2026"
    assert timing_folder(sub(Timing.END, date(2027, 3, 31))) == "③契約終了時_2027-03-31"


def test_bundle_names_carry_the_subcontractor_or_the_city() -> None:
    own = Submission(contract_id="R7-001", form=2, timing=Timing.CONCLUSION, date=date(2025, 3, 25))
    sub = Submission(
        contract_id="R7-001",
        form=2,
        timing=Timing.CONCLUSION,
        date=date(2025, 3, 25),
        submitter=Submitter.SUBCONTRACTOR,
        subcontractor="有限会社架空サポート",
    )
    city = Submission(
        contract_id="R7-001",
        form=7,
        timing=Timing.CONCLUSION,
        date=date(2025, 3, 28),
        submitter=Submitter.CITY,
        subcontractor="有限会社架空サポート",
    )
    records = read_workbook(SAMPLE)
    stems = [b.stem for b in group_bundles([own, sub, city], records)]
    assert stems == [
        "R7-001_①契約締結時",
        "R7-001_①契約締結時_有限会社架空サポート",
        "R7-001_①契約締結時_日野市",
    ]
