"""What a bundle's cover sheet (送付書) lists, and which warnings concern a bundle.

The cover is for its reader: the forms with their pages, who sends them to
whom, and the subcontractors' bundles that travel with the contractor's
(別綴り). Warnings never go on it; ``CoverBuilder.warnings`` says which bundle
a warning concerns, for the 一覧's 問題 sheet (the terminal lists them too).

A warning concerns a bundle when it is about a form inside it, from the same
submitter: a training warning (従事者 / 研修) belongs with forms 2 and 3, a
missing witness (廃棄) with form 1, a missing approval (再委託) with that
subcontractor's forms 6 and 7, a 報告 answer with forms 4 and 5, and the
契約 row's own warnings with the contract's conclusion-time forms. Each warning
carries whose row it is (Problem.subcontractor: a subcontractor's, or the contractor's).

A cover lists the page each form starts on, so it depends on its own length:
``Pagination`` renders it assuming one page and, once its PDF shows more,
renders it again with the pages shifted (the pipeline converts it in the same
LibreOffice batches as the forms).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from hino_forms.models import (
    Contract,
    Problem,
    Records,
    Severity,
    Subcontractor,
    Submission,
    Submitter,
    Timing,
)

if TYPE_CHECKING:
    from hino_forms.output.bundle import Bundle


@dataclass(frozen=True)
class CoverEntry:
    """One form inside a bundle: 様式第2号, its title, its first page and page count (None: unknown)."""

    label: str
    title: str
    first_page: int | None
    pages: int | None = None


@dataclass(frozen=True)
class SeparateBundle:
    """A subcontractor's bundle the contractor forwards with its own (別綴り on the cover)."""

    subcontractor: str
    entries: tuple[CoverEntry, ...]


@dataclass(frozen=True)
class Cover:
    """The 送付書 of one bundle (one contract, timing folder and submitter).

    Only what its reader needs: nothing for the preparer (warnings go to the
    terminal and the 一覧's 問題 sheet, never onto a cover).
    """

    contract: Contract
    timing: Timing
    date: date | None
    fiscal_year: int | None
    submitter_label: str
    entries: tuple[CoverEntry, ...]
    submitter: Submitter = Submitter.CONTRACTOR
    subcontractor: Subcontractor | None = None  # whose bundle (a subcontractor's, or forms 6/7's)
    timing_label: str = ""  # as the bundle's folder names it (随時 …); "" = the timing's own label
    separate: tuple[SeparateBundle, ...] = ()  # subcontractors' bundles sent with it (別綴り)


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
        bundle: Bundle,
        pages: Sequence[int | None],
        cover_pages: int,
        separate: Sequence[SeparateBundle] = (),
    ) -> Cover:
        """The 送付書 of ``bundle`` whose forms' PDFs have ``pages`` pages (None: not known);
        ``separate``: the subcontractors' bundles the contractor forwards with it."""
        first = bundle.first
        contract = self.records.contract(first.contract_id)
        subcontractor = (
            self.records.party(first.contract_id, first.subcontractor).subcontractor
            if first.subcontractor
            else None
        )
        return Cover(
            contract=contract,
            timing=first.timing,
            date=first.date,
            fiscal_year=first.fiscal_year,
            submitter_label=bundle.submitter_label,
            entries=self.entries(bundle.submissions, pages, cover_pages + 1),
            submitter=first.submitter,
            subcontractor=subcontractor,
            # The folder says 随時 for what falls between ① and ③; the cover says the same.
            timing_label=bundle.folder.split("_", 1)[0],
            separate=tuple(separate),
        )

    def entries(
        self, submissions: Sequence[Submission], pages: Sequence[int | None], first_page: int | None
    ) -> tuple[CoverEntry, ...]:
        """The forms of a bundle with their pages, the first starting on ``first_page``."""
        entries = []
        page = first_page
        for submission, count in zip(submissions, pages):
            title = (
                f"{submission.title}（{submission.subcontractor}）"
                if submission.form in (6, 7) and submission.subcontractor
                else submission.title
            )
            entries.append(
                CoverEntry(label=submission.label, title=title, first_page=page, pages=count)
            )
            page = page + count if page is not None and count is not None else None
        return tuple(entries)

    def separate(self, bundle: Bundle, pages: Sequence[int | None]) -> SeparateBundle:
        """A subcontractor's bundle as the contractor's cover lists it (別綴り)."""
        return SeparateBundle(bundle.submitter_key, self.entries(bundle.submissions, pages, None))

    def warnings(self, submissions: Sequence[Submission]) -> tuple[Problem, ...]:
        """The warnings that concern the bundle of ``submissions`` (for the 一覧, never the cover)."""
        return tuple(
            p
            for p in self.records.problems_of(submissions[0].contract_id)
            if self.concerns(p, submissions)
        )

    def concerns(self, problem: Problem, submissions: Sequence[Submission]) -> bool:
        """Whether a warning is about a form in this bundle, from this bundle's submitter."""
        if problem.severity is not Severity.WARNING:
            return False
        forms = _FORMS_OF_SHEET.get(problem.sheet)
        if forms is None or problem.row is None:
            return True  # about a whole sheet: every bundle of the contract
        owner = problem.subcontractor or ""  # whose row: the 再委託先名称 it names
        for submission in submissions:
            if submission.form not in forms:
                continue
            if problem.sheet == "契約" and submission.timing is not Timing.CONCLUSION:
                continue
            # Forms 6 and 7 name their subcontractor though the contractor or the city submits them.
            whose = (
                submission.subcontractor or ""
                if submission.form.names_subcontractor
                or submission.submitter is Submitter.SUBCONTRACTOR
                else ""
            )
            if problem.sheet == "契約" or whose == owner:
                return True
        return False


@dataclass
class Pagination:
    """A bundle's cover until its page count is known: render, convert, count, maybe render again."""

    bundle: Bundle
    form_pages: tuple[int | None, ...]  # each form's PDF pages (None: no PDF)
    docx: Path
    render: Callable[[Cover, Path], None]
    builder: CoverBuilder
    cover_pages: int = 1
    pdf: Path | None = None  # set once the cover's PDF has the pages it was rendered for
    separate: tuple[SeparateBundle, ...] = ()  # subcontractors' bundles listed as 別綴り

    def start(self) -> Path:
        """Render the cover assuming it fits on ``cover_pages`` pages; returns its .docx."""
        cover = self.builder.cover(self.bundle, self.form_pages, self.cover_pages, self.separate)
        self.render(cover, self.docx)
        return self.docx

    def settle(self, pdf: Path, pages: int) -> bool:
        """The cover's PDF came back with ``pages`` pages: True when final, else it is rendered
        again with the forms' pages shifted (convert it once more)."""
        if pages <= self.cover_pages:
            self.pdf = pdf
            return True
        pdf.unlink(missing_ok=True)
        self.cover_pages = pages
        self.start()
        return False
