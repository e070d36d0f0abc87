"""Which forms a contract's rows feed, and what each still lacks: what `check` tells a contractor
about the workbook they are about to return.

Pure: records in, one line per planned submission out. It reads the rows the
forms print (従事者 on form 2, 研修 on form 3, 報告 on forms 4 and 5, 廃棄 on
form 1, 再委託 on forms 6 and 7) and names what is still missing, so a
contractor sees "form 3 has no training before the start" before the city does.
"""

from __future__ import annotations

from dataclasses import dataclass

from hino_forms.forms.adjust import checklist_for
from hino_forms.forms.checklists import not_applicable
from hino_forms.models import Records, Status, Submission, Timing
from hino_forms.planning import rules
from hino_forms.planning.training import training_status
from hino_forms.workbook.schema import CONTRACT, SHEETS, Filler

# The sheets of the contractor's rows each form prints (契約 feeds every form and is left
# out, and so is the city's 項目調整).
FED_BY: dict[int, tuple[str, ...]] = {
    form: tuple(
        s.name
        for s in SHEETS
        if s is not CONTRACT and s.filled_by is not Filler.CITY and form in s.forms
    )
    for form in range(1, 8)
}


@dataclass(frozen=True)
class FormCoverage:
    """One planned submission of the contract, the rows that feed it, and what it still lacks."""

    submission: Submission
    sheets: tuple[str, ...]  # the sheets whose rows the form prints
    rows: int  # how many of those rows are this submitter's
    missing: str = ""  # "" when nothing is missing (Japanese otherwise)


def coverage(records: Records, contract_id: str) -> list[FormCoverage]:
    """Every planned submission of ``contract_id`` with its rows and gaps (empty when it has errors)."""
    return [_one(records, s) for s in rules.plan(records) if s.contract_id == contract_id]


def _one(records: Records, s: Submission) -> FormCoverage:
    cid = s.contract_id
    party = (s.subcontractor or "") if s.form not in (6, 7) else ""  # 6, 7: the contractor's
    who = records.party(cid, party)
    staff = records.staff_of(cid, party)
    sheets = FED_BY[s.form]
    if s.form == 1:
        rows = len(records.disposals_of(cid, party))
        missing = "" if rows else "廃棄の行がありません（空の表を印刷します）"
    elif s.form == 2:
        rows = len(staff)
        missing = "" if rows else "従事者の行がありません"
    elif s.form == 3:
        start = who.start
        before = [t for t in records.trainings_of(cid, party) if t.held_on and t.held_on <= start]
        untrained = [m.name for m in staff if not training_status(m, start).trained]
        rows = len(records.trainings_of(cid, party)) + len(staff)
        gaps = []
        if not before:
            gaps.append(f"開始日（{start.isoformat()}）までに実施した研修の行がありません")
        if untrained:
            gaps.append(f"研修を受講していない従事者: {'、'.join(untrained)}")
        missing = "。".join(gaps)
    elif s.form in (4, 5):
        answered = {
            a.item_no
            for a in records.answers_of(cid, party)
            if a.form == s.form
            and a.timing is s.timing
            and (s.timing is not Timing.FISCAL_YEAR or a.fiscal_year == s.fiscal_year)
            and a.answer
        }
        # An item about what this submitter lacks prints as 該当なし by itself.
        items = [
            i.no
            for i in checklist_for(s.form, s.timing.mark, records.adjustments_of(cid))
            if not not_applicable(i, who)
        ]
        left = [no for no in items if no not in answered]
        rows = len(items) - len(left)
        missing = f"未回答 {len(left)} 項目（{_ranges(left)}）" if left else ""
    else:
        rows = 1
        missing = "承認日が未入力です（市が記入）" if s.status is Status.PENDING else ""
    return FormCoverage(s, sheets, rows, missing)


def _ranges(numbers: list[str]) -> str:
    """1・2・3・5 → 1〜3・5 (item numbers as the checklist writes them)."""
    out: list[str] = []
    run: list[int] = []
    for text in numbers:
        if text.isdigit() and run and int(text) == run[-1] + 1:
            run.append(int(text))
            continue
        if run:
            out.append(f"{run[0]}〜{run[-1]}" if len(run) > 2 else "・".join(map(str, run)))
        run = [int(text)] if text.isdigit() else []
        if not text.isdigit():
            out.append(text)
    if run:
        out.append(f"{run[0]}〜{run[-1]}" if len(run) > 2 else "・".join(map(str, run)))
    return "・".join(out)
