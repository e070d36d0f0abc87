"""rules.plan / Selection.apply: one row per rule case, each citing the rules section it checks.

Every row states the exact submissions a city clerk would expect for one
fictional contract: form, label, timing, date, fiscal year, submitter,
subcontractor and status, in the order ``plan`` lists them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hino_forms.models import Problem, Records, Severity, Status, Timing
from hino_forms.planning.rules import plan
from hino_forms.planning.selection import Selection
from tests import builders as b

D = date.fromisoformat
MARKS = {"①": "conclusion", "②": "fiscal_year", "③": "end"}
FIXED_TIMING = {1: "end", 2: "conclusion", 3: "conclusion", 6: "conclusion", 7: "conclusion"}
SUB = "有限会社架空サポート"


def due(
    label: str,
    day: str | None,
    fy: int | None = None,
    *,
    who: str = "contractor",
    sub: str | None = None,
    status: str = "ready",
) -> tuple[Any, ...]:
    """An expected row; ``label`` is written as on the form: "2", "4-②", "7"."""
    form = int(label[0])
    timing = MARKS[label[-1]] if "-" in label else FIXED_TIMING[form]
    full = f"様式第{form}号" + (f"-{label[-1]}" if "-" in label else "")
    return (form, full, timing, day, fy, who, sub, status)


def change(
    label: str, day: str, *, who: str = "contractor", sub: str | None = None
) -> tuple[Any, ...]:
    """A 随時 row: "2" for 様式第2号（変更）, "1" for a mid-contract 様式第1号 (SPEC §4)."""
    full = "様式第2号（変更）" if label == "2" else f"様式第{label}号"
    return (int(label), full, "change", day, None, who, sub, "ready")


def sub_due(label: str, day: str | None, fy: int | None = None) -> tuple[Any, ...]:
    return due(label, day, fy, who="subcontractor", sub=SUB)


def rows(records: Records) -> list[tuple[Any, ...]]:
    return [
        (
            s.form,
            s.label,
            s.timing.value,
            s.date.isoformat() if s.date else None,
            s.fiscal_year,
            s.submitter.value,
            s.subcontractor,
            s.status.value,
        )
        for s in plan(records)
    ]


def one(
    contract: Any = None,
    subs: tuple[Any, ...] = (),
    disposals: tuple[Any, ...] = (),
    *,
    staff: tuple[Any, ...] = (),
    trainings: tuple[Any, ...] = (),
) -> Records:
    return Records(
        contracts=(contract or b.contract(),),
        subcontractors=subs,
        disposals=disposals,
        staff=staff,
        trainings=trainings,
    )


# The base contract: concluded 2025-03-25, period 2025-04-01 – 2026-03-31, class 2.
CASES: list[tuple[str, str, Records, list[tuple[Any, ...]]]] = [
    (
        "class 1: only the staff structure",
        "§6(2) すべての外部委託契約",
        one(b.contract(confidentiality=1)),
        [due("2", "2025-03-25")],
    ),
    (
        "single-year class 2: no ② report",
        "§9 単年度契約の場合、②は提出不要; §7",
        one(),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("4-③", "2026-03-31"),
        ],
    ),
    (
        "12 months from October cross one April 1",
        "§9② 年度切り替わり時",
        one(b.contract(concluded=D("2025-09-20"), start=D("2025-10-01"), end=D("2026-09-30"))),
        [
            due("2", "2025-09-20"),
            due("3", "2025-09-20"),
            due("4-①", "2025-09-20"),
            due("4-②", "2026-04-01", 2026),
            due("4-③", "2026-09-30"),
        ],
    ),
    (
        "multi-year across two April 1sts",
        "§9② 年度切り替わり時",
        one(b.contract(concluded=D("2025-09-20"), start=D("2025-10-01"), end=D("2027-09-30"))),
        [
            due("2", "2025-09-20"),
            due("3", "2025-09-20"),
            due("4-①", "2025-09-20"),
            due("4-②", "2026-04-01", 2026),
            due("4-②", "2027-04-01", 2027),
            due("4-③", "2027-09-30"),
        ],
    ),
    (
        "multi-year across three April 1sts",
        "§9② 年度切り替わり時",
        one(b.contract(concluded=D("2025-05-20"), start=D("2025-06-01"), end=D("2028-05-31"))),
        [
            due("2", "2025-05-20"),
            due("3", "2025-05-20"),
            due("4-①", "2025-05-20"),
            due("4-②", "2026-04-01", 2026),
            due("4-②", "2027-04-01", 2027),
            due("4-②", "2028-04-01", 2028),
            due("4-③", "2028-05-31"),
        ],
    ),
    (
        "starting on April 1: that day is the start, not a switch",
        "§9① / §9②",
        one(b.contract(end=D("2027-03-31"))),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("4-②", "2026-04-01", 2026),
            due("4-③", "2027-03-31"),
        ],
    ),
    (
        "ending on March 31 after two fiscal years",
        "§9② / §9③",
        one(b.contract(concluded=D("2024-09-25"), start=D("2024-10-01"), end=D("2026-03-31"))),
        [
            due("2", "2024-09-25"),
            due("3", "2024-09-25"),
            due("4-①", "2024-09-25"),
            due("4-②", "2025-04-01", 2025),
            due("4-③", "2026-03-31"),
        ],
    ),
    (
        "ending on April 1: the switch and the end fall on one day",
        "§9② / §9③",
        one(b.contract(end=D("2026-04-01"))),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("4-②", "2026-04-01", 2026),
            due("4-③", "2026-04-01"),
        ],
    ),
    (
        "early termination: reports stop at 解除日",
        "§9③ 契約終了時 (解除日); §4・§5",
        one(b.contract(end=D("2028-03-31"), terminated=D("2026-12-31"), stores_important=True)),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("4-②", "2026-04-01", 2026),
            due("1", "2026-12-31"),
            due("4-③", "2026-12-31"),
        ],
    ),
    (
        "terminated before the first April 1",
        "§9③ 契約終了時 (解除日)",
        one(b.contract(end=D("2027-03-31"), terminated=D("2026-03-31"))),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("4-③", "2026-03-31"),
        ],
    ),
    (
        "My Number: form 5 beside form 4 at every timing",
        "§9 特定個人情報を取り扱う委託契約",
        one(b.contract(confidentiality=3, my_number=True, end=D("2027-03-31"))),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("5-①", "2025-03-25"),
            due("4-②", "2026-04-01", 2026),
            due("5-②", "2026-04-01", 2026),
            due("4-③", "2027-03-31"),
            due("5-③", "2027-03-31"),
        ],
    ),
    (
        "storage: form 1 at the end",
        "§4・§5 重要情報の廃棄（返還）証明書",
        one(b.contract(stores_important=True), disposals=(b.disposal(done_on=D("2026-03-20")),)),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("1", "2026-03-31"),
            due("4-③", "2026-03-31"),
        ],
    ),
    (
        "storage: disposal deferred past the end moves form 1",
        "§4・§5 ※ 廃棄時に証明書",
        one(
            b.contract(stores_important=True),
            disposals=(
                b.disposal(done_on=D("2026-05-15")),
                b.disposal(done_on=D("2026-04-10"), row=3),
                b.disposal(subcontractor=SUB, done_on=D("2026-09-01"), row=4),
            ),
        ),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("4-③", "2026-03-31"),
            due("1", "2026-05-15"),
        ],
    ),
    (
        "class 1 keeping information: nothing important to certify",
        "§1 / 参考様式一覧 第1号",
        one(b.contract(confidentiality=1, stores_important=True)),
        [due("2", "2025-03-25")],
    ),
    (
        "system development of class 1: training report",
        "§11 開発環境の報告",
        one(b.contract(confidentiality=1, system_development=True)),
        [due("2", "2025-03-25"), due("3", "2025-03-25")],
    ),
    (
        "subcontractor of class 1, approved",
        "§12(1) 再委託の申請と承認通知",
        one(b.contract(subcontracting=True), (b.subcontractor(confidentiality=1),)),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            sub_due("2", "2025-03-26"),
            change("2", "2025-03-26"),  # (c) a subcontractor applies after 契約締結日
            due("6", "2025-03-26", sub=SUB),
            due("7", "2025-03-28", who="city", sub=SUB),
            due("4-③", "2026-03-31"),
        ],
    ),
    (
        "subcontractor with its own class 2",
        "§12(2) 一切の義務を遵守させる; §9",
        one(b.contract(subcontracting=True), (b.subcontractor(confidentiality=2),)),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            sub_due("2", "2025-03-26"),
            change("2", "2025-03-26"),  # (c) a subcontractor applies after 契約締結日
            sub_due("3", "2025-03-26"),
            sub_due("4-①", "2025-03-26"),
            due("6", "2025-03-26", sub=SUB),
            due("7", "2025-03-28", who="city", sub=SUB),
            due("4-③", "2026-03-31"),
            sub_due("4-③", "2026-03-31"),
        ],
    ),
    (
        "subcontractor with My Number and storage",
        "§9 特定個人情報; §4・§5; §12(2)",
        one(
            b.contract(subcontracting=True, confidentiality=3, my_number=True),
            (b.subcontractor(confidentiality=3, my_number=True, stores_important=True),),
            (b.disposal(subcontractor=SUB, done_on=D("2026-04-20")),),
        ),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            due("5-①", "2025-03-25"),
            sub_due("2", "2025-03-26"),
            change("2", "2025-03-26"),  # (c) a subcontractor applies after 契約締結日
            sub_due("3", "2025-03-26"),
            sub_due("4-①", "2025-03-26"),
            sub_due("5-①", "2025-03-26"),
            due("6", "2025-03-26", sub=SUB),
            due("7", "2025-03-28", who="city", sub=SUB),
            due("4-③", "2026-03-31"),
            sub_due("4-③", "2026-03-31"),
            due("5-③", "2026-03-31"),
            sub_due("5-③", "2026-03-31"),
            sub_due("1", "2026-04-20"),
        ],
    ),
    (
        "subcontractor with its own period",
        "§9② / §9③ for the subcontracted period",
        one(
            b.contract(subcontracting=True, confidentiality=1, end=D("2028-03-31")),
            (b.subcontractor(start=D("2025-10-01"), end=D("2027-06-30")),),
        ),
        [
            due("2", "2025-03-25"),
            sub_due("2", "2025-03-26"),
            change("2", "2025-03-26"),  # (c) a subcontractor applies after 契約締結日
            sub_due("3", "2025-03-26"),
            sub_due("4-①", "2025-03-26"),
            due("6", "2025-03-26", sub=SUB),
            due("7", "2025-03-28", who="city", sub=SUB),
            sub_due("4-②", "2026-04-01", 2026),
            sub_due("4-②", "2027-04-01", 2027),
            sub_due("4-③", "2027-06-30"),
            change("2", "2027-07-01"),  # (d) the day after the subcontract ends
        ],
    ),
    (
        "subcontractor cut short by the contract's termination",
        "§12(2); §9③ 解除日",
        one(
            b.contract(
                subcontracting=True,
                confidentiality=1,
                end=D("2028-03-31"),
                terminated=D("2026-06-30"),
            ),
            (b.subcontractor(stores_important=True),),
        ),
        [
            due("2", "2025-03-25"),
            sub_due("2", "2025-03-26"),
            change("2", "2025-03-26"),  # (c) a subcontractor applies after 契約締結日
            sub_due("3", "2025-03-26"),
            sub_due("4-①", "2025-03-26"),
            due("6", "2025-03-26", sub=SUB),
            due("7", "2025-03-28", who="city", sub=SUB),
            sub_due("4-②", "2026-04-01", 2026),
            sub_due("1", "2026-06-30"),
            sub_due("4-③", "2026-06-30"),
        ],
    ),
    (
        "subcontractor pending approval, no application date",
        "§12(1) 承認を受けなければならない",
        one(
            b.contract(subcontracting=True, confidentiality=1),
            (b.subcontractor(confidentiality=1, applied=None, approved=None, approval_no=""),),
        ),
        [
            due("2", "2025-03-25"),
            sub_due("2", "2025-03-25"),
            due("6", "2025-03-25", sub=SUB),
            due("7", None, who="city", sub=SUB, status="pending"),
        ],
    ),
    (
        "subcontractor of a system development",
        "§11 開発環境の報告; §12(2)",
        one(
            b.contract(subcontracting=True, confidentiality=1, system_development=True),
            (b.subcontractor(confidentiality=1),),
        ),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            sub_due("2", "2025-03-26"),
            change("2", "2025-03-26"),  # (c) a subcontractor applies after 契約締結日
            sub_due("3", "2025-03-26"),
            due("6", "2025-03-26", sub=SUB),
            due("7", "2025-03-28", who="city", sub=SUB),
        ],
    ),
    # ---- SPEC v2 §4: 随時, form 3 dating, no ② before the contract existed ----
    (
        "form 3 dated by the training it reports",
        "§7 教育の実施後に報告; SPEC v2 §4 form 3",
        one(
            b.contract(confidentiality=1, system_development=True),
            trainings=(
                b.training(held_on=D("2025-03-20")),
                b.training(held_on=D("2025-03-28"), row=3),
                b.training(held_on=D("2025-06-01"), row=4),  # for people who join later
            ),
        ),
        [due("2", "2025-03-25"), due("3", "2025-03-28")],
    ),
    (
        "form 3 without any session before the start: 契約締結日",
        "§7 (a warning at the contract's row, SPEC v2 §3)",
        one(
            b.contract(confidentiality=1, system_development=True),
            trainings=(b.training(held_on=D("2025-04-02")),),
        ),
        [due("2", "2025-03-25"), due("3", "2025-03-25")],
    ),
    (
        "form 2 変更 when a staff member joins and another leaves",
        "§6(2) 体制の届出 (変更); SPEC v2 §4 (a), (b)",
        one(
            b.contract(confidentiality=1),
            staff=(
                b.staff(joined=D("2025-04-01")),  # on R: on the 新規, no 変更
                b.staff(name="架空 五郎", joined=D("2025-10-01"), row=3),
                b.staff(name="架空 六郎", left=D("2025-12-31"), row=4),
                b.staff(name="架空 七郎", left=D("2026-03-31"), row=5),  # the last day: none
            ),
        ),
        [
            due("2", "2025-03-25"),
            change("2", "2025-10-01"),
            change("2", "2026-01-01"),
        ],
    ),
    (
        "a subcontractor's own staff change: its own 変更",
        "§6(2), §12(2); SPEC v2 §4",
        one(
            b.contract(subcontracting=True, confidentiality=1),
            (b.subcontractor(confidentiality=1, applied=D("2025-03-25")),),
            staff=(b.staff(subcontractor=SUB, joined=D("2025-07-01")),),
        ),
        [
            due("2", "2025-03-25"),
            sub_due("2", "2025-03-25"),
            due("6", "2025-03-25", sub=SUB),
            due("7", "2025-03-28", who="city", sub=SUB),
            change("2", "2025-07-01", who="subcontractor", sub=SUB),
        ],
    ),
    (
        "no ② for a year before the contract existed",
        "§9② 年度切替時; SPEC v2 §4 (契約締結日 < d)",
        one(b.contract(concluded=D("2025-05-01"), start=D("2025-01-01"), end=D("2027-03-31"))),
        [
            due("2", "2025-05-01"),
            due("3", "2025-05-01"),
            due("4-①", "2025-05-01"),
            due("4-②", "2026-04-01", 2026),
            due("4-③", "2027-03-31"),
        ],
    ),
    (
        "form 1 随時 for each disposal day before the final month",
        "§10(3) 返還・消去・廃棄のつど証明; SPEC v2 §4 form 1 (随時)",
        one(
            b.contract(stores_important=True),
            disposals=(
                b.disposal(done_on=D("2025-10-15")),
                b.disposal(done_on=D("2025-10-15"), item="別の資料", row=3),
                b.disposal(done_on=D("2026-03-02"), row=4),  # in the month of *end*: ③
                b.disposal(done_on=None, row=5),
            ),
        ),
        [
            due("2", "2025-03-25"),
            due("3", "2025-03-25"),
            due("4-①", "2025-03-25"),
            change("1", "2025-10-15"),
            due("1", "2026-03-31"),
            due("4-③", "2026-03-31"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "section", "records", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_plan_table(case: str, section: str, records: Records, expected: list[Any]) -> None:
    assert rows(records) == expected, f"{case} ({section})"


def test_contract_with_an_error_is_left_out_and_others_still_run() -> None:
    records = Records(
        contracts=(
            b.contract(contract_id="T-001", confidentiality=1),
            b.contract(contract_id="T-002", confidentiality=1, row=3),
        ),
        problems=(
            Problem(Severity.ERROR, "契約", 2, "機密性区分", "T-001", None, "…", column="K"),
            Problem(Severity.WARNING, "契約", 3, "契約締結日", "T-002", None, "…", column="G"),
        ),
    )
    assert [(s.contract_id, s.label) for s in plan(records)] == [("T-002", "様式第2号")]


def test_sorted_by_date_then_contract_then_form_pending_last() -> None:
    records = Records(
        contracts=(
            b.contract(contract_id="T-002", subcontracting=True),
            b.contract(contract_id="T-001", concluded=D("2025-03-26"), row=3),
        ),
        subcontractors=(b.subcontractor(contract_id="T-002", confidentiality=1, approved=None),),
    )
    got = [(s.date, s.contract_id, s.form) for s in plan(records)]
    assert got[-1] == (None, "T-002", 7)
    dated = got[:-1]
    assert dated == sorted(dated)
    assert got[:3] == [
        (D("2025-03-25"), "T-002", 2),
        (D("2025-03-25"), "T-002", 3),
        (D("2025-03-25"), "T-002", 4),
    ]


def reasons_of(records: Records, label: str, who: str = "contractor") -> tuple[str, ...]:
    (hit,) = [s for s in plan(records) if s.label == label and s.submitter.value == who]
    return hit.reasons


def test_reasons_cite_the_rules_sections() -> None:
    r = one(
        b.contract(
            confidentiality=3,
            my_number=True,
            stores_important=True,
            system_development=True,
            subcontracting=True,
        ),
        (b.subcontractor(),),
    )
    assert "§6(2) すべての外部委託契約（業務の実施前に提出）" in reasons_of(r, "様式第2号")
    assert [x[:3] for x in reasons_of(r, "様式第3号")] == ["§7 ", "§11"]
    assert "開発環境の報告" in reasons_of(r, "様式第3号")[1]
    assert reasons_of(r, "様式第4号-①")[0] == "§9 重要情報を取り扱う委託契約"
    assert reasons_of(r, "様式第5号-③")[0] == "§9 特定個人情報を取り扱う委託契約"
    assert reasons_of(r, "様式第1号")[0].startswith("§4・§5 ")
    assert any(x.startswith("§10(3)") for x in reasons_of(r, "様式第1号"))  # city witness
    assert reasons_of(r, "様式第6号")[0].startswith("§12(1) ")
    assert reasons_of(r, "様式第7号", "city")[0].startswith("§12(1) ")
    sub_reasons = reasons_of(r, "様式第4号-①", "subcontractor")
    assert sub_reasons[0] == "§9 重要情報を取り扱う委託契約"
    assert "§12 再委託先→受託者→市" in sub_reasons
    assert any(x.startswith("§12(2)") for x in sub_reasons)


def test_deferred_disposal_reason_names_the_day_in_wareki() -> None:
    r = one(b.contract(stores_important=True), disposals=(b.disposal(done_on=D("2026-05-15")),))
    assert any("令和8年5月15日" in x for x in reasons_of(r, "様式第1号"))


def test_pending_approval_says_why() -> None:
    r = one(b.contract(subcontracting=True), (b.subcontractor(approved=None),))
    (approval,) = [s for s in plan(r) if s.form == 7]
    assert approval.status is Status.PENDING and approval.date is None
    assert any("承認待ち" in x for x in approval.reasons)


# select: the filter `plan` and `generate` share.
def _two_contracts() -> list[Any]:
    return plan(
        Records(
            contracts=(
                b.contract(contract_id="A", subcontracting=True, end=D("2027-03-31")),
                b.contract(
                    contract_id="B",
                    confidentiality=1,
                    concluded=D("2025-05-01"),
                    start=D("2025-05-01"),
                    row=3,
                ),
            ),
            subcontractors=(b.subcontractor(contract_id="A", approved=None, confidentiality=1),),
        )
    )


def test_select_by_contract_keeps_its_pending_approval() -> None:
    got = Selection(contracts=("A",)).apply(_two_contracts())
    assert {s.contract_id for s in got} == {"A"}
    assert [s.form for s in got if s.date is None] == [7]


def test_select_by_date_window_is_inclusive_and_keeps_pending() -> None:
    got = Selection(date_from=D("2026-04-01"), date_to=D("2026-04-01")).apply(_two_contracts())
    assert [(s.contract_id, s.label) for s in got] == [("A", "様式第4号-②"), ("A", "様式第7号")]
    assert got[-1].status is Status.PENDING


def test_select_by_timing() -> None:
    got = Selection(timing=Timing.END).apply(_two_contracts())
    assert [(s.contract_id, s.label, s.date) for s in got] == [
        ("A", "様式第4号-③", D("2027-03-31"))
    ]
    fiscal = Selection(timing=Timing.FISCAL_YEAR).apply(_two_contracts())
    assert [s.label for s in fiscal] == ["様式第4号-②"]


def test_select_with_open_window_ends() -> None:
    subs = _two_contracts()
    assert [s.date for s in Selection(date_from=D("2025-05-01")).apply(subs)] == [
        D("2025-05-01"),
        D("2026-04-01"),
        D("2027-03-31"),
        None,
    ]
    assert all(
        s.date is None or s.date <= D("2025-03-25")
        for s in Selection(date_to=D("2025-03-25")).apply(subs)
    )
    assert Selection().apply(subs) == subs


def test_only_the_contracts_own_conclusion_day_is_filed_as_1() -> None:
    """SPEC v2 §5: a later subcontractor's ① forms, form 7 and a late form 3 are filed 随時."""
    records = one(
        b.contract(subcontracting=True),
        (b.subcontractor(),),
        trainings=(b.training(held_on=D("2025-03-27")),),
    )
    filed = {(s.label, s.subcontractor, s.timing.value, s.filing.label) for s in plan(records)}
    assert ("様式第2号", None, "conclusion", "①契約締結時") in filed
    assert ("様式第3号", None, "conclusion", "随時") in filed  # dated by its training, 3/27
    assert ("様式第6号", SUB, "conclusion", "随時") in filed  # applied 3/26
    assert ("様式第2号", SUB, "conclusion", "随時") in filed
    assert ("様式第7号", SUB, "conclusion", "随時") in filed
    assert ("様式第2号（変更）", None, "change", "随時") in filed
    assert Selection(timing=Timing.CHANGE).apply(plan(records)) == [
        s for s in plan(records) if s.label == "様式第2号（変更）"
    ]
