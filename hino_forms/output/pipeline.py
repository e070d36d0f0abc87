"""The main job for a batch: plan → render → convert → bundle, owning the output folder.

Contracts are processed in chunks so memory stays flat and finished contract
folders appear as the run goes. Every contract is built in a work folder
inside ``out`` (``.hino-forms-work``) and moved into place with one rename
when it is complete, so a killed run never leaves a half-written bundle.

Covers list their forms' pages, so they can only be made once the forms are
PDFs. To spare LibreOffice a start (and the slowest worker's tail) per chunk,
a chunk's covers are converted together with the next chunk's forms, and the
chunk is bundled and moved into place after that conversion.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hino_forms.atomic import atomic_write
from hino_forms.errors import EncryptWithoutPdf, OutputOpenElsewhere, PdfUnavailable
from hino_forms.forms.cover import CoverBuilder, Pagination, SeparateBundle
from hino_forms.forms.render import Renderer, form_filename
from hino_forms.models import Problem, Records, Severity, Status, Submission, Submitter
from hino_forms.output import bundle as compose
from hino_forms.output import folder as outdir
from hino_forms.output import pdf
from hino_forms.output.bundle import Bundle, group_bundles
from hino_forms.output.joined import JoinedConverter
from hino_forms.output.layout import inside, safe_name
from hino_forms.output.pdf import Converter
from hino_forms.planning import export as schedule
from hino_forms.planning.selection import Selection
from hino_forms.workbook.reader import read_workbook

CHUNK_CONTRACTS = 40  # contracts per render/convert round: bounds memory and disk in flight


class Progress(Protocol):
    """What the pipeline tells its caller while it runs (the CLI draws bars or log lines)."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, name: str, n: int = 1) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, n: int = 1) -> None:
        pass


@dataclass(frozen=True)
class Failure:
    """A contract or form that could not be produced; everything else still was."""

    contract_id: str
    what: str  # 様式第4号-② … or 契約
    reason: str

    def __str__(self) -> str:
        return f"{self.contract_id} {self.what}: {self.reason}"


@dataclass
class Summary:
    """What a run produced, for the closing line and the exit code."""

    out: Path
    contracts: int = 0
    forms: int = 0
    pdfs: int = 0
    bundles: int = 0
    problems: tuple[Problem, ...] = ()
    skipped: tuple[str, ...] = ()  # contracts left out for their errors
    failures: list[Failure] = field(default_factory=list)
    pdf_skipped_reason: str = ""
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.failures

    def line(self) -> str:
        """One Japanese summary line."""
        errors = sum(p.severity is Severity.ERROR for p in self.problems)
        warnings = len(self.problems) - errors
        text = (
            f"契約 {self.contracts} 件、様式 {self.forms} 件、PDF {self.pdfs} 件、綴り {self.bundles} 件、"
            f"問題 {len(self.problems)} 件（エラー {errors}・警告 {warnings}）、"
            f"失敗 {len(self.failures) + len(self.skipped)} 件、{self.seconds:.1f} 秒 → {self.out}"
        )
        return text


@dataclass(frozen=True, kw_only=True)
class Options:
    """Everything ``generate`` may be told (SPEC §6)."""

    input_path: Path
    out: Path
    selection: Selection = Selection()
    pdf: bool | None = None  # None: make PDFs when LibreOffice is there
    jobs: int | None = None
    templates_dir: Path | None = None
    password: str | None = None  # encrypt: only encrypted PDF bundles land in ``out``
    force: bool = False
    soffice: Path | None = None  # --soffice; else HINO_FORMS_SOFFICE, PATH, the install folders
    # How .docx become PDFs; None: a pool of soffice workers (pdf.SofficePool). A warm
    # converter (e.g. a unoserver client) plugs in here.
    converter: Converter | None = None
    chunk_contracts: int = CHUNK_CONTRACTS


@dataclass(frozen=True)
class _Written:
    """One file written, for the manifest (``path`` relative to the output folder)."""

    path: Path
    contract_id: str
    form: int | None
    timing: str
    kind: str  # form / bundle

    def entry(self, out: Path) -> dict[str, object]:
        return {
            "path": self.path.as_posix(),
            "contract_id": self.contract_id,
            "form": self.form,
            "timing": self.timing,
            "kind": self.kind,
            "sha256": compose.sha256_file(out / self.path),
        }


def generate(options: Options, progress: Progress | None = None) -> Summary:
    """Run the whole job; returns what happened. Raises HinoFormsError when nothing can run."""
    started = time.perf_counter()
    summary = Summary(out=options.out)
    converter = _converter_for(options, summary)  # before reading: --encrypt needs PDFs
    with _timed(summary, "read"):
        records = read_workbook(options.input_path)
    chosen = options.selection
    chosen.check(records)
    with _timed(summary, "plan"):
        planned = chosen.submissions(records)
    summary.problems = tuple(chosen.problems(records))
    summary.skipped = tuple(chosen.failed(records))
    run = _Run(
        options=options,
        records=records,
        planned=planned,
        summary=summary,
        progress=progress or _Silent(),
        converter=converter,
        renderer=Renderer(options.templates_dir),
    )
    outdir.check_out_folder(options.out)
    outdir.refuse_to_overwrite(options.out, run.contract_dirs.values(), options.force)
    with outdir.owner_only():
        options.out.mkdir(parents=True, exist_ok=True)
        with outdir.only_run(options.out), outdir.work_folder(options.out) as work:
            run.write(work)
    summary.contracts = len(run.by_contract)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Chunk:
    """A few contracts in their work folder: their forms, bundles and covers as they are made."""

    work: Path
    contract_ids: list[str]
    docx: dict[Submission, Path] = field(default_factory=dict)  # each rendered form
    pdfs: dict[Path, Path] = field(default_factory=dict)  # form .docx → its PDF
    pages: dict[Path, int] = field(default_factory=dict)  # form .docx → its PDF's pages
    bundles: list[Bundle] = field(default_factory=list)
    covers: dict[Path, tuple[Bundle, Pagination]] = field(default_factory=dict)  # by cover .docx
    words: dict[Path, int] = field(
        default_factory=dict
    )  # cover .docx → its pages in the Word bundle
    word_errors: dict[Path, str] = field(default_factory=dict)  # cover .docx → why no Word bundle

    def waiting(self) -> list[Path]:
        """The covers still to be converted (their PDF not known yet)."""
        return [docx for docx, (_, p) in self.covers.items() if p.pdf is None]


@dataclass
class _Run:
    """One run's state: what to make, with what, and what was made; chunking and folders."""

    options: Options
    records: Records
    planned: list[Submission]
    summary: Summary
    progress: Progress
    converter: Converter | None
    renderer: Renderer
    written: list[_Written] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # submission_key → its file in ``out``
    # Each bundle made (its path in ``out`` without suffix) and the warnings that concern it.
    bundle_warnings: list[tuple[str, tuple[Problem, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_contract: dict[str, list[Submission]] = {}
        for s in self.planned:
            self.by_contract.setdefault(s.contract_id, []).append(s)
        self.contract_dirs = {cid: safe_name(cid) for cid in self.by_contract}
        self.covers = CoverBuilder(self.records)
        self.encrypt = self.options.password is not None

    def write(self, work_root: Path) -> None:
        """Contracts a chunk at a time, each folder renamed into place when whole; then the lists."""
        ready = [s for s in self.planned if s.status is Status.READY]
        self.progress.stage("render", len(ready))
        if self.converter:
            self.progress.stage("convert", len(ready))
        self.progress.stage("bundle", len(group_bundles(ready, self.records)))
        ids = list(self.by_contract)
        size = max(1, self.options.chunk_contracts)
        previous: _Chunk | None = None
        for start in range(0, len(ids), size):
            chunk = _Chunk(Path(tempfile.mkdtemp(dir=work_root)), ids[start : start + size])
            self._render(chunk)
            # The previous chunk's covers ride along with this chunk's forms.
            waiting = previous.waiting() if previous else []
            with self._meanwhile(previous):
                converted = self._convert([*chunk.docx.values(), *waiting], chunk, previous)
            if previous:
                self._finish(previous, converted)
            self._take_pdfs(chunk, converted)
            self._start_covers(chunk)
            previous = chunk
        if previous:
            self._finish(previous, self._convert(previous.waiting(), previous))
        self._lists(work_root)

    def _render(self, chunk: _Chunk) -> None:
        """Every ready form of the chunk's contracts as .docx; a form that fails is reported."""
        with _timed(self.summary, "render"):
            for cid in chunk.contract_ids:
                (chunk.work / self.contract_dirs[cid]).mkdir()
                for submission in self.by_contract[cid]:
                    if submission.status is Status.READY and (
                        docx := self._render_form(submission, chunk.work)
                    ):
                        chunk.docx[submission] = docx
        chunk.bundles = group_bundles(chunk.docx, self.records)

    def _folder(self, work: Path, bundle: Bundle) -> Path:
        folder = work / self.contract_dirs[bundle.contract_id] / bundle.folder
        folder.mkdir(exist_ok=True)
        return folder

    def _render_form(self, submission: Submission, work: Path) -> Path | None:
        (bundle,) = group_bundles([submission], self.records)
        docx = inside(
            work, self._folder(work, bundle) / f"{safe_name(form_filename(submission))}.docx"
        )
        try:
            self.renderer.render(submission, self.records, docx)
        except Exception as err:  # noqa: BLE001 — a broken template must not stop the batch
            self._fail(submission.contract_id, submission.label, f"作成に失敗しました（{err}）")
            docx.unlink(missing_ok=True)
            return None
        finally:
            self.progress.advance("render")
        self.summary.forms += 1
        return docx

    def _convert(
        self, docs: Sequence[Path], chunk: _Chunk, previous: _Chunk | None = None
    ) -> dict[Path, Path]:
        """PDFs of ``docs`` (forms and covers) in one conversion; failures are reported."""
        if not self.converter or not docs:
            return {}
        forms = {d: s for s, d in chunk.docx.items()}

        def advance(docx: Path, _pdf: Path | None) -> None:
            if docx in forms:
                self.progress.advance("convert")

        with _timed(self.summary, "convert"):
            result = self.converter(docs, advance)
        if result.stalled:  # one timeout is enough: the rest of the run is made without PDFs
            self.converter = None
            self.summary.pdf_skipped_reason = "LibreOffice が応答しなくなったため、以降の PDF は作成せず Word (.docx) だけを作成しました"
        for docx, reason in result.failed.items():
            owner = previous if previous and docx in previous.covers else chunk
            self._fail_conversion(docx, owner, f"PDF 変換に失敗（{reason}）")
        return dict(result.converted)

    def _take_pdfs(self, chunk: _Chunk, converted: dict[Path, Path]) -> None:
        """Keep each form's PDF with its page count; an unreadable PDF loses that form's PDF only."""
        for docx in chunk.docx.values():
            made = converted.get(docx)
            if made is None:
                continue
            if (pages := _page_count(made)) is None:
                made.unlink(missing_ok=True)
                self._fail_conversion(
                    docx, chunk, "PDF 変換に失敗（LibreOffice の PDF が壊れていました）"
                )
                continue
            chunk.pdfs[docx], chunk.pages[docx] = made, pages
            self.summary.pdfs += 1

    def _start_covers(self, chunk: _Chunk) -> None:
        """Render each bundle's cover with the forms' pages (assuming a one-page cover)."""
        with _timed(self.summary, "bundle"):
            for b in chunk.bundles:
                folder = self._folder(chunk.work, b)
                # Which bundle each warning concerns, for the 問題 sheet of the 一覧.
                name = (folder / b.stem).relative_to(chunk.work).as_posix()  # its .pdf and .docx
                self.bundle_warnings.append((name, self.covers.warnings(b.submissions)))
                pagination = Pagination(
                    bundle=b,
                    form_pages=self._pages(b, chunk),
                    docx=folder / f"{b.stem}_表紙.docx",
                    render=self.renderer.render_cover,
                    builder=self.covers,
                    separate=self._separate(b, chunk),
                )
                try:
                    chunk.covers[pagination.start()] = (b, pagination)
                except Exception as err:  # noqa: BLE001 — one bad cover must not stop the rest
                    self._fail(b.contract_id, f"表紙 {b.stem}", f"作成に失敗しました（{err}）")

    def _pages(self, b: Bundle, chunk: _Chunk) -> tuple[int | None, ...]:
        """Each form's PDF pages in ``b`` (None: no PDF)."""
        return tuple(chunk.pages.get(chunk.docx[s]) for s in b.submissions)

    def _separate(self, b: Bundle, chunk: _Chunk) -> tuple[SeparateBundle, ...]:
        """The contractor forwards its subcontractors' bundles of the same folder (別綴り)."""
        if b.first.submitter is not Submitter.CONTRACTOR:
            return ()
        return tuple(
            self.covers.separate(other, self._pages(other, chunk))
            for other in chunk.bundles
            if other.contract_id == b.contract_id
            and other.folder == b.folder
            and other.first.submitter is Submitter.SUBCONTRACTOR
        )

    def _finish(self, chunk: _Chunk, converted: dict[Path, Path]) -> None:
        """Settle the covers' pages, write the bundles, move the chunk's contracts into place."""
        for _ in range(3):  # a cover that grew is rendered and converted again (rarely twice)
            again = []
            for docx in chunk.waiting():
                made = converted.get(docx)
                if made is None:
                    continue
                if (pages := _page_count(made)) is None:
                    made.unlink(missing_ok=True)
                    reason = "PDF 変換に失敗（LibreOffice の PDF が壊れていました）"
                    self._fail_conversion(docx, chunk, reason)
                elif not chunk.covers[docx][1].settle(made, pages):
                    again.append(docx)
            if not again:
                break
            converted = self._convert(again, chunk)
        with _timed(self.summary, "bundle"):
            for b, pagination in chunk.covers.values():
                try:
                    self._bundle(b, pagination, chunk)
                except Exception as err:  # noqa: BLE001 — one bad bundle must not stop the rest
                    self._fail(b.contract_id, f"綴り {b.stem}", f"作成に失敗しました（{err}）")
                finally:
                    pagination.docx.unlink(missing_ok=True)
                    if pagination.pdf is not None:
                        pagination.pdf.unlink(missing_ok=True)
                    self.progress.advance("bundle")
            for submission, docx in chunk.docx.items():
                if not self.encrypt:
                    self.files[schedule.submission_key(submission)] = docx.relative_to(
                        chunk.work
                    ).as_posix()
                    for path in (docx, chunk.pdfs.get(docx)):
                        if path is not None:
                            self._wrote(path, chunk.work, submission, submission.form, "form")
                else:  # only the encrypted bundle lands: no plaintext beside it
                    docx.unlink(missing_ok=True)
                    if docx in chunk.pdfs:
                        chunk.pdfs[docx].unlink(missing_ok=True)
        for cid in chunk.contract_ids:
            name = self.contract_dirs[cid]
            outdir.move_into_place(chunk.work / name, self.options.out / name, self.options.force)
        shutil.rmtree(chunk.work, ignore_errors=True)

    @contextlib.contextmanager
    def _meanwhile(self, chunk: _Chunk | None) -> Iterator[None]:
        """Compose ``chunk``'s Word bundles in a thread while the block (a conversion) runs.

        Composing is Python work and converting is LibreOffice's, so they overlap; the
        thread is told to stop and joined before an error or Ctrl-C goes further.
        """
        if chunk is None or self.encrypt:
            yield
            return
        cancel = threading.Event()
        thread = threading.Thread(target=self._word_bundles, args=(chunk, cancel), daemon=True)
        thread.start()
        try:
            yield
        except BaseException:
            cancel.set()
            raise
        finally:
            thread.join()

    def _word_bundles(self, chunk: _Chunk, cancel: threading.Event) -> None:
        for b, pagination in list(chunk.covers.values()):
            if cancel.is_set():
                return
            self._word_bundle(b, pagination, chunk)

    def _word_bundle(self, b: Bundle, pagination: Pagination, chunk: _Chunk) -> None:
        """Cover + forms → one Word bundle; a failure is kept for ``_bundle`` to report."""
        word = pagination.docx.parent / f"{b.stem}.docx"
        try:
            compose.make_docx_bundle(
                [pagination.docx, *(chunk.docx[s] for s in b.submissions)],
                word,
                (pagination.cover_pages if pagination.pdf else None, *self._pages(b, chunk)),
            )
        except Exception as err:  # noqa: BLE001 — reported with the bundle
            chunk.word_errors[pagination.docx] = str(err)
            return
        chunk.word_errors.pop(pagination.docx, None)
        chunk.words[pagination.docx] = pagination.cover_pages

    def _bundle(self, b: Bundle, pagination: Pagination, chunk: _Chunk) -> None:
        """One Word bundle (made already, unless its cover grew) and, with PDFs, one PDF bundle."""
        folder = pagination.docx.parent
        docs = [chunk.docx[s] for s in b.submissions]
        if not self.encrypt:
            if chunk.words.get(pagination.docx) != pagination.cover_pages:
                self._word_bundle(b, pagination, chunk)
            if pagination.docx in chunk.word_errors:
                reason = chunk.word_errors[pagination.docx]
                self._fail(b.contract_id, f"綴り {b.stem}.docx", f"作成に失敗しました（{reason}）")
            else:
                self._wrote(folder / f"{b.stem}.docx", chunk.work, b.first, None, "bundle")
                self.summary.bundles += 1
        if pagination.pdf is None or not all(d in chunk.pdfs for d in docs):
            if self.encrypt:  # nothing unencrypted may stay, so these forms are not kept
                self._fail(
                    b.contract_id,
                    f"綴り {b.stem}",
                    "PDF がそろわず暗号化した綴りを作れませんでした（暗号化のため Word も残していません）",
                )
            return  # no LibreOffice, or a form's PDF failed (reported): the Word bundle stands alone
        target = folder / f"{b.stem}.pdf"
        compose.make_pdf_bundle(
            [compose.BundlePart(pagination.pdf, None)]
            + [
                compose.BundlePart(chunk.pdfs[d], f"{s.label} {s.title}")
                for s, d in zip(b.submissions, docs)
            ],
            target,
            title=b.title,
            author=b.author,
            subject=f"{b.contract_id} {b.work_name}",
            password=self.options.password,
        )
        self._wrote(target, chunk.work, b.first, None, "bundle")
        if self.encrypt:
            self.summary.bundles += 1
            for submission in b.submissions:
                self.files[schedule.submission_key(submission)] = target.relative_to(
                    chunk.work
                ).as_posix()

    def _fail_conversion(self, docx: Path, chunk: _Chunk, reason: str) -> None:
        """Report a form or cover without PDF under its contract and name."""
        for submission, form in chunk.docx.items():
            if form == docx:
                self._fail(submission.contract_id, submission.label, reason)
                return
        if docx in chunk.covers:
            b = chunk.covers[docx][0]
            self._fail(b.contract_id, f"表紙 {b.stem}", reason)
            return
        self._fail("", docx.name, reason)

    def _lists(self, work_root: Path) -> None:
        """manifest.json and 提出予定一覧.xlsx, each written aside and renamed into place.

        The contract folders are in place by now, so a list held open elsewhere means
        running again with --force (``folder.locked_elsewhere`` says so).
        """
        try:
            self._write_lists()
        except OutputOpenElsewhere as err:
            raise outdir.locked_elsewhere(err.path) from None

    def _write_lists(self) -> None:
        out = self.options.out
        manifest = {"generator": "hino-forms", "files": [w.entry(out) for w in self.written]}
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        with atomic_write(out / outdir.MANIFEST, private=True) as tmp:
            tmp.write_text(text, encoding="utf-8")
        contracts = {c.contract_id: c for c in self.records.contracts}
        with atomic_write(out / outdir.SCHEDULE, private=True) as tmp:
            schedule.write_xlsx(
                tmp,
                self.planned,
                list(self.summary.problems),
                files=self.files,
                contracts=contracts,
                bundles_of=self._bundles_of,
            )

    def _bundles_of(self, problem: Problem) -> str:
        """The bundles a warning concerns, as the 一覧 names them ("" when none of this run)."""
        return "、".join(name for name, found in self.bundle_warnings if problem in found)

    def _wrote(
        self, path: Path, work: Path, submission: Submission, form: int | None, kind: str
    ) -> None:
        self.written.append(
            _Written(
                path.relative_to(work), submission.contract_id, form, submission.timing.value, kind
            )
        )

    def _fail(self, contract_id: str, what: str, reason: str) -> None:
        self.summary.failures.append(Failure(contract_id, what, reason))


def _page_count(made: Path) -> int | None:
    """The pages of a PDF LibreOffice made; None when it cannot be read (a corrupt file)."""
    try:
        return pdf.page_count(made)
    except Exception:  # noqa: BLE001 — pypdf raises many kinds for a broken file
        return None


def _converter_for(options: Options, summary: Summary) -> Converter | None:
    """How PDFs are made when they are wanted and possible; PDFs asked for (or needed to
    encrypt) without LibreOffice are an error raised before anything is read or written."""
    if options.pdf is False:
        if options.password is not None:
            raise EncryptWithoutPdf()
        return None  # asked for: the CLI says so, the summary only records a surprise
    if options.converter is not None:
        return options.converter
    found = pdf.find_soffice(options.soffice)
    if found is None:
        if options.pdf or options.password is not None:
            raise PdfUnavailable(for_encryption=options.password is not None)
        summary.pdf_skipped_reason = "LibreOffice（soffice）が見つからないため PDF は作成せず、Word (.docx) だけを作成しました"
        return None
    # The forms of one contract are converted as one document and cut apart (joined.py).
    return JoinedConverter(pdf.SofficePool(found, jobs=options.jobs))


@contextlib.contextmanager
def _timed(summary: Summary, stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        summary.stage_seconds[stage] = (
            summary.stage_seconds.get(stage, 0.0) + time.perf_counter() - t0
        )
