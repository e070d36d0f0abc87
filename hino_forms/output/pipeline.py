"""The main job for a batch: plan → render → convert → bundle, owning the output folder.

Contracts are processed in chunks so memory stays flat and finished contract
folders appear as the run goes. Every contract is built in a work folder
inside ``out`` (``.hino-forms-work``) and moved into place with one rename
when it is complete, so a killed run never leaves a half-written bundle.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hino_forms.errors import PdfUnavailable
from hino_forms.forms.cover import CoverBuilder
from hino_forms.forms.render import Renderer, form_filename
from hino_forms.models import Contract, Problem, Records, Severity, Status, Submission, Submitter
from hino_forms.output import bundle, pdf
from hino_forms.output import folder as outdir
from hino_forms.output.layout import bundle_stem, inside, safe_name, submitter_key, timing_folder
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
    password: str | None = None
    force: bool = False


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
            "sha256": bundle.sha256_file(out / self.path),
        }


BundleKey = tuple[str, str, str]  # contract, timing folder, submitter (see paths.submitter_key)
Item = tuple[Submission, Path]  # a rendered submission and its .docx


def generate(options: Options, progress: Progress | None = None) -> Summary:
    """Run the whole job; returns what happened. Raises HinoFormsError when nothing can run."""
    started = time.perf_counter()
    summary = Summary(out=options.out)
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
        soffice=_soffice_for(options, summary),
        renderer=Renderer(options.templates_dir),
    )
    outdir.refuse_to_overwrite(options.out, run.contract_dirs.values(), options.force)
    with outdir.owner_only():
        options.out.mkdir(parents=True, exist_ok=True)
        with outdir.only_run(options.out), outdir.work_folder(options.out) as work:
            run.write(work)
    summary.contracts = len(run.by_contract)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Run:
    """One run's state: what to make, with what, and what was made."""

    options: Options
    records: Records
    planned: list[Submission]
    summary: Summary
    progress: Progress
    soffice: Path | None
    renderer: Renderer
    written: list[_Written] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # submission_key → path of its .docx

    def __post_init__(self) -> None:
        self.by_contract: dict[str, list[Submission]] = {}
        for s in self.planned:
            self.by_contract.setdefault(s.contract_id, []).append(s)
        self.contract_dirs = {cid: safe_name(cid) for cid in self.by_contract}
        self.covers = CoverBuilder(self.records)

    def write(self, work_root: Path) -> None:
        """Contracts a chunk at a time, each folder renamed into place when whole; then the lists."""
        ready = [s for s in self.planned if s.status is Status.READY]
        self.progress.stage("render", len(ready))
        if self.soffice:
            self.progress.stage("convert", len(ready))
        self.progress.stage("bundle", len({_bundle_key(s) for s in ready}))
        ids = list(self.by_contract)
        for start in range(0, len(ids), CHUNK_CONTRACTS):
            chunk = ids[start : start + CHUNK_CONTRACTS]
            work = Path(tempfile.mkdtemp(dir=work_root))
            self._chunk(chunk, work)
            for cid in chunk:
                name = self.contract_dirs[cid]
                outdir.move_into_place(work / name, self.options.out / name, self.options.force)
            shutil.rmtree(work, ignore_errors=True)
        self._lists(work_root)

    def _chunk(self, chunk: list[str], work: Path) -> None:
        """Render, convert and bundle the forms of a few contracts inside ``work``."""
        bundles: dict[BundleKey, list[Item]] = {}
        with _timed(self.summary, "render"):
            for cid in chunk:
                (work / self.contract_dirs[cid]).mkdir()
                for sub in self.by_contract[cid]:
                    if sub.status is Status.READY and (docx := self._render(sub, work)):
                        bundles.setdefault(_bundle_key(sub), []).append((sub, docx))
        pdfs = self._convert([d for items in bundles.values() for _, d in items], bundles)
        with _timed(self.summary, "bundle"):
            self._bundles(bundles, pdfs, work)
        for items in bundles.values():
            for sub, docx in items:
                self.files[schedule.submission_key(sub)] = docx.relative_to(work).as_posix()
                for path in (docx, pdfs.get(docx)):
                    if path is not None:
                        self._wrote(path, work, sub, sub.form, "form")

    def _render(self, sub: Submission, work: Path) -> Path | None:
        folder = work / self.contract_dirs[sub.contract_id] / timing_folder(sub)
        folder.mkdir(exist_ok=True)
        docx = inside(work, folder / f"{safe_name(form_filename(sub))}.docx")
        try:
            self.renderer.render(sub, self.records, docx)
        except Exception as err:  # noqa: BLE001 — a broken template must not stop the batch
            self._fail(sub.contract_id, sub.label, f"作成に失敗しました（{err}）")
            docx.unlink(missing_ok=True)
            return None
        finally:
            self.progress.advance("render")
        self.summary.forms += 1
        return docx

    def _convert(self, docs: list[Path], bundles: dict[BundleKey, list[Item]]) -> dict[Path, Path]:
        """The forms' PDFs (docx → pdf); failures are reported with their contract and form."""
        if not self.soffice or not docs:
            return {}
        with _timed(self.summary, "convert"):
            result = pdf.convert(
                docs,
                jobs=self.options.jobs,
                soffice=self.soffice,
                progress=lambda _src, _pdf: self.progress.advance("convert"),
            )
        self.summary.pdfs += len(result.converted)
        owner = {d: s for items in bundles.values() for s, d in items}
        for docx, reason in result.failed.items():
            self._fail(owner[docx].contract_id, owner[docx].label, f"PDF 変換に失敗（{reason}）")
        return dict(result.converted)

    def _bundles(
        self, bundles: dict[BundleKey, list[Item]], pdfs: dict[Path, Path], work: Path
    ) -> None:
        """Cover + forms → one Word bundle and (with PDFs) one bookmarked PDF bundle per key."""
        covers = {
            key: self._cover_docx(key, items, pdfs, cover_pages=1) for key, items in bundles.items()
        }
        cover_pdfs = self._cover_pdfs(covers, bundles, pdfs)
        for key, items in bundles.items():
            first = items[0][0]
            folder = items[0][1].parent
            stem = bundle_stem(key[0], first)
            cover = covers[key]
            try:
                self._bundle(first, folder, stem, cover, cover_pdfs.get(cover), items, pdfs, work)
            except Exception as err:  # noqa: BLE001 — one bad bundle must not stop the rest
                self._fail(key[0], f"綴り {stem}", f"作成に失敗しました（{err}）")
            finally:
                cover.unlink(missing_ok=True)
                if cover in cover_pdfs:
                    cover_pdfs[cover].unlink(missing_ok=True)
                self.progress.advance("bundle")

    def _bundle(
        self,
        first: Submission,
        folder: Path,
        stem: str,
        cover: Path,
        cover_pdf: Path | None,
        items: list[Item],
        pdfs: dict[Path, Path],
        work: Path,
    ) -> None:
        contract = self.records.contract(first.contract_id)
        word = folder / f"{stem}.docx"
        bundle.make_docx_bundle([cover, *(d for _, d in items)], word)
        self._wrote(word, work, first, None, "bundle")
        self.summary.bundles += 1
        if cover_pdf is None or not all(d in pdfs for _, d in items):
            return  # no LibreOffice, or a form's PDF failed (reported): the Word bundle stands alone
        target = folder / f"{stem}.pdf"
        bundle.make_pdf_bundle(
            [bundle.BundlePart(cover_pdf, None)]
            + [bundle.BundlePart(pdfs[d], f"{s.label} {s.title}") for s, d in items],
            target,
            title=f"{contract.work_name} {first.filing.label}",
            author=_submitter_name(contract, first),
            subject=f"{contract.contract_id} {contract.work_name}",
            password=self.options.password,
        )
        self._wrote(target, work, first, None, "bundle")

    def _cover_docx(
        self, key: BundleKey, items: list[Item], pdfs: dict[Path, Path], cover_pages: int
    ) -> Path:
        first = items[0][0]
        path = items[0][1].parent / f"{bundle_stem(key[0], first)}_表紙.docx"
        pages = [pdf.page_count(pdfs[d]) if d in pdfs else None for _, d in items]
        self.renderer.render_cover(
            self.covers.cover([s for s, _ in items], pages, cover_pages), path
        )
        return path

    def _cover_pdfs(
        self,
        covers: dict[BundleKey, Path],
        bundles: dict[BundleKey, list[Item]],
        pdfs: dict[Path, Path],
    ) -> dict[Path, Path]:
        """The covers as PDF; a cover that ran past one page is made again with the pages shifted."""
        if not self.soffice or not covers:
            return {}
        converted = self._convert_covers(list(covers.values()))
        longer = {
            key: pages
            for key, path in covers.items()
            if path in converted and (pages := pdf.page_count(converted[path])) > 1
        }
        for key, pages in longer.items():
            self._cover_docx(key, bundles[key], pdfs, cover_pages=pages)
        if longer:
            converted.update(self._convert_covers([covers[k] for k in longer]))
        return converted

    def _convert_covers(self, covers: list[Path]) -> dict[Path, Path]:
        result = pdf.convert(covers, jobs=self.options.jobs, soffice=self.soffice)
        for docx, reason in result.failed.items():
            self._fail(docx.parent.parent.name, f"表紙 {docx.stem}", f"PDF 変換に失敗（{reason}）")
        return dict(result.converted)

    def _lists(self, work_root: Path) -> None:
        """manifest.json and 提出予定一覧.xlsx, each written aside and renamed into place."""
        out = self.options.out
        manifest = {"generator": "hino-forms", "files": [w.entry(out) for w in self.written]}
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        outdir.write_aside(
            out / outdir.MANIFEST, work_root, lambda p: p.write_text(text, encoding="utf-8")
        )
        contracts = {c.contract_id: c for c in self.records.contracts}
        outdir.write_aside(
            out / outdir.SCHEDULE,
            work_root,
            lambda p: schedule.write_xlsx(
                p, self.planned, list(self.summary.problems), files=self.files, contracts=contracts
            ),
        )

    def _wrote(self, path: Path, work: Path, sub: Submission, form: int | None, kind: str) -> None:
        self.written.append(
            _Written(path.relative_to(work), sub.contract_id, form, sub.timing.value, kind)
        )

    def _fail(self, contract_id: str, what: str, reason: str) -> None:
        self.summary.failures.append(Failure(contract_id, what, reason))


def _bundle_key(sub: Submission) -> BundleKey:
    return (sub.contract_id, timing_folder(sub), submitter_key(sub))


def _submitter_name(contract: Contract, sub: Submission) -> str:
    if sub.submitter is Submitter.CITY:
        return "日野市長"
    if sub.submitter is Submitter.SUBCONTRACTOR and sub.subcontractor:
        return sub.subcontractor
    return contract.contractor_name


def _soffice_for(options: Options, summary: Summary) -> Path | None:
    """LibreOffice when PDFs are wanted and possible; explicit --pdf without it is an error."""
    if options.pdf is False:  # asked for: the CLI says so, the summary only records a surprise
        return None
    found = pdf.find_soffice()
    if found is None:
        if options.pdf:
            raise PdfUnavailable()
        summary.pdf_skipped_reason = "LibreOffice（soffice）が見つからないため PDF は作成せず、Word (.docx) だけを作成しました"
    return found


@contextlib.contextmanager
def _timed(summary: Summary, stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        summary.stage_seconds[stage] = (
            summary.stage_seconds.get(stage, 0.0) + time.perf_counter() - t0
        )
