"""A cover sheet lists its forms with their pages and only the warnings about what is inside (FORMS.md)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pytest

from hino_forms.forms.cover import CoverBuilder
from hino_forms.models import Problem, Records, Severity, Status, Submission
from hino_forms.output.layout import submitter_key, timing_folder
from hino_forms.planning import rules
from hino_forms.workbook.reader import read_workbook
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample() -> Records:
    return read_workbook(SAMPLE)


def bundles(records: Records) -> dict[tuple[str, str, str], list[Submission]]:
    grouped: dict[tuple[str, str, str], list[Submission]] = defaultdict(list)
    for s in rules.plan(records):
        if s.status is Status.READY:
            grouped[(s.contract_id, timing_folder(s), submitter_key(s))].append(s)
    return grouped


def warnings_on(records: Records, contract: str, folder: str, who: str = "") -> set[str]:
    subs = bundles(records)[(contract, folder, who)]
    cover = CoverBuilder(records).cover(subs, [1] * len(subs), cover_pages=1)
    return {f"{p.sheet}!{p.cell}" for p in cover.problems}


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
    cover = CoverBuilder(sample).cover(subs, [1, 2, 1, 3], cover_pages=1)
    assert [e.first_page for e in cover.entries] == [2, 3, 5, 6]
    longer = CoverBuilder(sample).cover(subs, [1, 2, 1, 3], cover_pages=2)
    assert [e.first_page for e in longer.entries] == [3, 4, 6, 7]
    unknown = CoverBuilder(sample).cover(subs, [1, None, 1, 3], cover_pages=1)
    assert [e.first_page for e in unknown.entries] == [2, 3, None, None]


def test_applications_name_their_subcontractor(sample: Records) -> None:
    subs = bundles(sample)[("R7-002", "①契約締結時_2025-09-12", "")]
    titles = [e.title for e in CoverBuilder(sample).cover(subs, [1] * len(subs), 1).entries]
    assert "再委託承認申請書（有限会社たまデータサポート）" in titles


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
    assert problem in builder.cover(theirs, [1] * len(theirs), 1).problems
    assert problem not in builder.cover(own, [1] * len(own), 1).problems
