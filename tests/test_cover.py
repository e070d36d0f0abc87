"""A cover sheet lists its forms with their pages; the warnings about what is inside go to the
一覧 by bundle, never onto the cover (FORMS.md v2)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hino_forms.forms.cover import Cover, CoverBuilder, Pagination
from hino_forms.models import Problem, Records, Severity, Status
from hino_forms.output.bundle import Bundle, group_bundles
from hino_forms.planning import rules
from hino_forms.workbook.reader import read_workbook
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample() -> Records:
    return read_workbook(SAMPLE)


def bundles(records: Records) -> dict[tuple[str, str, str], Bundle]:
    ready = [s for s in rules.plan(records) if s.status is Status.READY]
    return {(b.contract_id, b.folder, b.submitter_key): b for b in group_bundles(ready, records)}


def warnings_on(records: Records, contract: str, folder: str, who: str = "") -> set[str]:
    b = bundles(records)[(contract, folder, who)]
    return {f"{p.sheet}!{p.cell}" for p in CoverBuilder(records).warnings(b.submissions)}


def test_training_warnings_go_with_forms_2_and_3_only(sample: Records) -> None:
    assert "従事者!H6" in warnings_on(sample, "R7-001", "①契約締結時_2025-03-25")
    assert "従事者!H6" not in warnings_on(sample, "R7-001", "③契約終了時_2026-03-31")


def test_the_missing_witness_goes_with_form_1_only(sample: Records) -> None:
    assert "廃棄!K2" in warnings_on(sample, "R7-001", "③契約終了時_2026-03-31")
    assert "廃棄!K2" not in warnings_on(sample, "R7-001", "①契約締結時_2025-03-25")


def test_a_pending_approval_goes_with_that_subcontractors_application(sample: Records) -> None:
    assert "再委託!S3" in warnings_on(sample, "R7-002", "随時_2026-03-02")
    assert "再委託!S3" not in warnings_on(sample, "R7-002", "①契約締結時_2025-09-12")
    assert "再委託!S3" not in warnings_on(
        sample, "R7-002", "①契約締結時_2025-09-12", "有限会社たまデータサポート"
    )
    assert "再委託!S3" not in warnings_on(sample, "R7-002", "②年度切替時_2026")


def test_a_subcontractors_staff_warning_stays_on_its_own_bundle(sample: Records) -> None:
    own = warnings_on(sample, "R7-002", "①契約締結時_2025-09-12")
    theirs = warnings_on(sample, "R7-002", "①契約締結時_2025-09-12", "有限会社たまデータサポート")
    assert "従事者!H10" in own  # 松本 彩 is the contractor's own staff member
    assert "従事者!H10" not in theirs


def test_pages_follow_the_cover_and_each_forms_length(sample: Records) -> None:
    subs = bundles(sample)[("R7-001", "①契約締結時_2025-03-25", "")]
    assert len(subs.submissions) == 4
    cover = CoverBuilder(sample).cover(subs, [1, 2, 1, 3], cover_pages=1)
    assert [e.first_page for e in cover.entries] == [2, 3, 5, 6]
    longer = CoverBuilder(sample).cover(subs, [1, 2, 1, 3], cover_pages=2)
    assert [e.first_page for e in longer.entries] == [3, 4, 6, 7]
    unknown = CoverBuilder(sample).cover(subs, [1, None, 1, 3], cover_pages=1)
    assert [e.first_page for e in unknown.entries] == [2, 3, None, None]


def test_applications_name_their_subcontractor(sample: Records) -> None:
    b = bundles(sample)[("R7-002", "①契約締結時_2025-09-12", "")]
    titles = [e.title for e in CoverBuilder(sample).cover(b, [1] * len(b.submissions), 1).entries]
    assert "再委託承認申請書（有限会社たまデータサポート）" in titles


def test_a_bundle_names_its_submitter_once_for_cover_metadata_and_file(sample: Records) -> None:
    every = bundles(sample)
    own = every[("R7-002", "①契約締結時_2025-09-12", "")]
    theirs = every[("R7-002", "①契約締結時_2025-09-12", "有限会社たまデータサポート")]
    assert own.stem == "R7-002_①契約締結時"
    assert own.submitter_label.startswith("受託者 ") and own.author == own.contractor_name
    assert theirs.stem == "R7-002_①契約締結時_有限会社たまデータサポート"
    assert theirs.submitter_label == (
        f"再委託先 有限会社たまデータサポート（受託者 {own.contractor_name} 経由）"
    )
    assert theirs.author == "有限会社たまデータサポート"
    city = [b for b in every.values() if b.submitter_key == "日野市"]
    assert city and all(b.stem.endswith("_日野市") for b in city)
    assert {b.author for b in city} == {"日野市長"}
    assert {b.submitter_label for b in city} == {"日野市（再委託承認通知書）"}
    assert all(b.title.startswith(b.work_name) for b in every.values())


def test_a_cover_that_runs_past_one_page_is_made_again_with_the_pages_shifted(
    sample: Records, tmp_path: Path
) -> None:
    b = bundles(sample)[("R7-001", "①契約締結時_2025-03-25", "")]
    rendered: list[Cover] = []
    pagination = Pagination(
        bundle=b,
        form_pages=(1, 2, 1, 3),
        docx=tmp_path / "cover.docx",
        render=lambda cover, path: rendered.append(cover),
        builder=CoverBuilder(sample),
    )
    pagination.start()
    first_pdf = tmp_path / "cover.pdf"
    first_pdf.write_bytes(b"%PDF-")
    assert not pagination.settle(first_pdf, pages=2)  # it came out two pages long
    assert not first_pdf.exists() and pagination.pdf is None
    assert [e.first_page for e in rendered[-1].entries] == [3, 4, 6, 7]
    second_pdf = tmp_path / "cover-again.pdf"
    assert pagination.settle(second_pdf, pages=2)
    assert pagination.pdf == second_pdf and len(rendered) == 2


def test_a_warning_about_a_row_without_its_column_stays_with_its_owner(sample: Records) -> None:
    # A 従事者 row of the subcontractor whose cell cannot be addressed (the column is missing):
    # the problem still says whose row it is, so only that subcontractor's cover lists it.
    sub = "有限会社たまデータサポート"
    problem = Problem(
        Severity.WARNING, "従事者", 12, "研修受講日", "R7-002", sub, "確認してください"
    )
    assert problem.where == "従事者!12行目"
    records = dataclasses.replace(sample, problems=(*sample.problems, problem))
    builder = CoverBuilder(records)
    folder = "①契約締結時_2025-09-12"
    theirs = bundles(records)[("R7-002", folder, sub)]
    own = bundles(records)[("R7-002", folder, "")]
    assert problem in builder.warnings(theirs.submissions)
    assert problem not in builder.warnings(own.submissions)
