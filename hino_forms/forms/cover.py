"""What a bundle's cover sheet (送付書) lists: its forms with their pages, and the warnings that concern it.

A warning concerns a bundle when it is about a form inside it, from the same
submitter: a training warning (従事者 / 研修) belongs with forms 2 and 3, a
missing witness (廃棄) with form 1, a missing approval (再委託) with that
subcontractor's forms 6 and 7, a 報告 answer with forms 4 and 5, and the
契約 row's own warnings with the contract's conclusion-time forms. Each warning
carries whose row it is (Problem.subcontractor: a subcontractor's, or the contractor's).
"""

from __future__ import annotations

from collections.abc import Sequence

from hino_forms.forms.contexts import Cover, CoverEntry
from hino_forms.models import Problem, Records, Severity, Submission, Submitter, Timing

# The forms each sheet's warnings are about.
_FORMS_OF_SHEET: dict[str, frozenset[int]] = {
    "契約": frozenset({2, 3, 4, 5, 6}),
    "従事者": frozenset({2, 3}),
    "研修": frozenset({3}),
    "廃棄": frozenset({1}),
    "再委託": frozenset({6, 7}),
    "報告": frozenset({4, 5}),
}


class CoverBuilder:
    """Covers for the bundles of one workbook."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def cover(
        self, subs: Sequence[Submission], pages: Sequence[int | None], cover_pages: int
    ) -> Cover:
        """The 送付書 for a bundle of ``subs`` whose PDFs have ``pages`` pages (None: not known)."""
        first = subs[0]
        contract = self.records.contract(first.contract_id)
        entries = []
        page: int | None = cover_pages + 1
        for sub, count in zip(subs, pages):
            title = (
                f"{sub.title}（{sub.subcontractor}）"
                if sub.form in (6, 7) and sub.subcontractor
                else sub.title
            )
            entries.append(CoverEntry(label=sub.label, title=title, first_page=page, pages=count))
            page = page + count if page is not None and count is not None else None
        return Cover(
            contract=contract,
            timing=first.filing,
            date=first.date,
            fiscal_year=first.fiscal_year,
            submitter_label=submitter_label(contract.contractor_name, first),
            entries=tuple(entries),
            problems=tuple(
                p for p in self.records.problems_of(first.contract_id) if self.concerns(p, subs)
            ),
        )

    def concerns(self, problem: Problem, subs: Sequence[Submission]) -> bool:
        """Whether a warning is about a form in this bundle, from this bundle's submitter."""
        if problem.severity is not Severity.WARNING:
            return False
        forms = _FORMS_OF_SHEET.get(problem.sheet)
        if forms is None or problem.row is None:
            return True  # about a whole sheet: every bundle of the contract
        owner = problem.subcontractor or ""  # whose row: the 再委託先名称 it names
        for sub in subs:
            if sub.form not in forms:
                continue
            if problem.sheet == "契約" and sub.timing is not Timing.CONCLUSION:
                continue
            # Forms 6 and 7 name their subcontractor though the contractor or the city submits them.
            whose = (
                sub.subcontractor or ""
                if sub.form.names_subcontractor or sub.submitter is Submitter.SUBCONTRACTOR
                else ""
            )
            if problem.sheet == "契約" or whose == owner:
                return True
        return False


def submitter_label(contractor_name: str, sub: Submission) -> str:
    """受託者 …, 再委託先 …（受託者 … 経由）, or 日野市 for form 7."""
    if sub.submitter is Submitter.CITY:
        return "日野市（再委託承認通知書）"
    if sub.submitter is Submitter.SUBCONTRACTOR and sub.subcontractor:
        return f"再委託先 {sub.subcontractor}（受託者 {contractor_name} 経由）"
    return f"受託者 {contractor_name}"
