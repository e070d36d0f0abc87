"""What a bundle's cover sheet (送付書) lists, and which warnings concern a bundle.

The cover is for its reader: the forms with their pages, who sends them to
whom, and the subcontractors' bundles that travel with the contractor's
(別綴り). Warnings never go on it; ``CoverBuilder.warnings`` says which bundle
a warning concerns, for the 一覧's 問題 sheet and the terminal.

A warning concerns a bundle when it is about a form inside it, from the same
submitter: a training warning (従事者 / 研修) belongs with forms 2 and 3, a
missing witness (廃棄) with form 1, a missing approval (再委託) with that
subcontractor's forms 6 and 7, a 報告 answer with forms 4 and 5, and the
契約 row's own warnings with the contract's conclusion-time forms. Each warning
carries whose row it is (Problem.subcontractor: a subcontractor's, or the contractor's).
"""

from __future__ import annotations

from collections.abc import Sequence

from hino_forms.forms.contexts import Cover, CoverEntry, SeparateBundle
from hino_forms.models import Problem, Records, Severity, Submission, Submitter, Timing
from hino_forms.output.layout import timing_folder

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
        self,
        subs: Sequence[Submission],
        pages: Sequence[int | None],
        cover_pages: int,
        separate: Sequence[SeparateBundle] = (),
    ) -> Cover:
        """The 送付書 for a bundle of ``subs`` whose PDFs have ``pages`` pages (None: not known);
        ``separate``: the subcontractors' bundles the contractor forwards with it."""
        first = subs[0]
        contract = self.records.contract(first.contract_id)
        sub = (
            self.records.party(first.contract_id, first.subcontractor).subcontractor
            if first.subcontractor
            else None
        )
        return Cover(
            contract=contract,
            timing=first.timing,
            date=first.date,
            fiscal_year=first.fiscal_year,
            submitter_label=submitter_label(contract.contractor_name, first),
            entries=self.entries(subs, pages, cover_pages + 1),
            submitter=first.submitter,
            subcontractor=sub,
            # The folder says 随時 for what falls between ① and ③; the cover says the same.
            timing_label=timing_folder(first).split("_", 1)[0],
            separate=tuple(separate),
        )

    def entries(
        self, subs: Sequence[Submission], pages: Sequence[int | None], first_page: int | None
    ) -> tuple[CoverEntry, ...]:
        """The forms of a bundle with their pages, the first starting on ``first_page``."""
        entries = []
        page = first_page
        for sub, count in zip(subs, pages):
            title = (
                f"{sub.title}（{sub.subcontractor}）"
                if sub.form in (6, 7) and sub.subcontractor
                else sub.title
            )
            entries.append(CoverEntry(label=sub.label, title=title, first_page=page, pages=count))
            page = page + count if page is not None and count is not None else None
        return tuple(entries)

    def separate(self, subs: Sequence[Submission], pages: Sequence[int | None]) -> SeparateBundle:
        """A subcontractor's bundle as the contractor's cover lists it (別綴り)."""
        return SeparateBundle(subs[0].subcontractor or "", self.entries(subs, pages, None))

    def warnings(self, subs: Sequence[Submission]) -> tuple[Problem, ...]:
        """The warnings that concern the bundle of ``subs`` (for the 一覧, never the cover)."""
        return tuple(
            p for p in self.records.problems_of(subs[0].contract_id) if self.concerns(p, subs)
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
