"""A party (the contractor, or one subcontractor): its flags and the one definition of its period.

The same party answers the rules (which forms, on which dates), the consistency
checks (whose flags a staff row is held to), and the forms (the period printed
on form 4 ② or form 6), so the dates below are what all three show.
"""

from __future__ import annotations

from datetime import date

import pytest

from hino_forms.models import (
    Form,
    Party,
    Records,
    Severity,
    Status,
    Submission,
    Submitter,
    Timing,
)
from tests import builders as b


def test_the_contractor_is_the_contract_itself() -> None:
    c = b.contract(confidentiality=3, my_number=True, stores_important=True)
    party = Party(c)
    assert party.submitter is Submitter.CONTRACTOR
    assert (party.name, party.key) == ("株式会社テスト架空データ", "")
    assert (party.first, party.start, party.end) == (c.concluded, c.start, c.end)
    assert (party.confidentiality, party.my_number, party.stores_important) == (3, True, True)
    assert party.handles_important


def test_a_subcontractor_has_its_own_flags_and_the_contracts_development_flag() -> None:
    c = b.contract(confidentiality=3, my_number=True, system_development=True)
    s = b.subcontractor(confidentiality=1, my_number=False, stores_important=False)
    party = Party(c, s)
    assert party.submitter is Submitter.SUBCONTRACTOR
    assert (party.name, party.key) == ("有限会社架空サポート", "有限会社架空サポート")
    assert (party.confidentiality, party.my_number, party.handles_important) == (1, False, False)
    assert party.system_development  # the 再委託 sheet has no such column (rules §11, §12(2))


@pytest.mark.parametrize(
    ("sub", "terminated", "first", "start", "end"),
    [
        # blanks take the contract's 締結日, 開始日 and *end*
        (dict(applied=None, start=None, end=None), None, "2025-03-25", "2025-04-01", "2026-03-31"),
        # its own dates when given
        (
            dict(applied=date(2025, 5, 20), start=date(2025, 6, 1), end=date(2025, 12, 31)),
            None,
            "2025-05-20",
            "2025-06-01",
            "2025-12-31",
        ),
        # never past the contract's *end*: the 解除日 cuts a longer subcontract
        (dict(end=date(2026, 3, 31)), date(2025, 9, 30), "2025-03-26", "2025-04-01", "2025-09-30"),
        # a subcontract that ends before the 解除日 keeps its own end
        (dict(end=date(2025, 8, 31)), date(2025, 9, 30), "2025-03-26", "2025-04-01", "2025-08-31"),
    ],
)
def test_a_subcontractors_period(
    sub: dict[str, object], terminated: date | None, first: str, start: str, end: str
) -> None:
    party = Party(b.contract(terminated=terminated), b.subcontractor(**sub))
    assert (party.first, party.start, party.end) == tuple(
        date.fromisoformat(d) for d in (first, start, end)
    )


def test_the_period_as_a_form_dated_before_the_termination_shows_it() -> None:
    # The ① forms of a contract later terminated show the period agreed then.
    c = b.contract(terminated=date(2025, 9, 30))
    party = Party(c, b.subcontractor())
    assert party.period_as_of(date(2025, 3, 26)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert party.period_as_of(date(2025, 9, 30)) == (date(2025, 4, 1), date(2025, 9, 30))
    assert party.period_as_of(None) == (date(2025, 4, 1), date(2025, 9, 30))
    assert c.end_as_of(date(2025, 9, 29)) == date(2026, 3, 31)
    assert c.end_as_of(None) == c.effective_end == date(2025, 9, 30)


def test_records_list_the_parties_of_a_contract_in_sheet_order() -> None:
    first = b.subcontractor(name="架空一社", row=2)
    second = b.subcontractor(name="架空二社", row=3)
    records = Records(contracts=(b.contract(),), subcontractors=(first, second))
    parties = records.parties_of("T-001")
    assert [p.key for p in parties] == ["", "架空一社", "架空二社"]
    assert records.party("T-001", "架空二社") == Party(records.contract("T-001"), second)
    assert records.party("T-001") == Party(records.contract("T-001"))
    with pytest.raises(KeyError):
        records.party("T-001", "架空三社")


# -- the enums carry their Japanese wording


def test_forms_timings_and_statuses_say_themselves_in_japanese() -> None:
    assert Form(4).title == "重要情報の保護に関する報告書" and Form(4).label == "様式第4号"
    assert [f for f in Form if f.has_timing_variants] == [4, 5]
    assert [f for f in Form if f.names_subcontractor] == [6, 7]
    assert [t.label for t in Timing] == ["①契約締結時", "②年度切替時", "③契約終了時", "随時"]
    assert [s.label for s in Severity] == ["エラー", "警告"]
    assert [s.label for s in Status] == ["予定", "承認待ち（承認日未入力）"]
    assert Submitter.SUBCONTRACTOR.label == "再委託先（受託者経由）"


@pytest.mark.parametrize(
    ("text", "timing"),
    [
        ("end", Timing.END),
        ("END", Timing.END),
        ("契約終了時", Timing.END),
        ("③契約終了時", Timing.END),
        ("③", Timing.END),
        ("２", Timing.FISCAL_YEAR),  # full-width, as an IME types it
        ("随時", Timing.CHANGE),  # SPEC v2 §6
        ("change", Timing.CHANGE),
        (" 契約締結時 ", Timing.CONCLUSION),
        ("契約途中", None),
        ("", None),  # 随時 has no mark: an empty text is still not a timing
    ],
)
def test_a_timing_by_code_name_or_mark(text: str, timing: Timing | None) -> None:
    assert Timing.from_text(text) is timing


def test_a_plain_form_number_is_kept_as_a_form() -> None:
    made = Submission(contract_id="T-001", form=4, timing=Timing.END, date=date(2026, 3, 31))
    assert made.form is Form.IMPORTANT_INFO_REPORT
    assert made.label == "様式第4号-③" and made.as_dict()["form"] == 4
