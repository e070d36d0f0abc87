"""The main job for a batch: plan → render → convert → bundle, owning the output folder.

Contracts are processed in chunks so memory stays flat and finished contract
folders appear as the run goes. Every contract is built in a work folder
inside ``out`` (``.hino-forms-work``) and moved into place with one rename
when it is complete, so a killed run never leaves a half-written bundle.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hino_forms import bundle, pdf, schedule
from hino_forms.errors import OutputExists, PdfUnavailable
from hino_forms.models import Contract, Problem, Records, Severity, Status, Submission, Submitter
from hino_forms.paths import bundle_stem, inside, safe_name, submitter_key, timing_folder
from hino_forms.render import Cover, CoverEntry, Renderer, form_filename
from hino_forms.selection import Selection
from hino_forms.workbook import read_workbook

WORK_DIR = ".hino-forms-work"
MANIFEST = "manifest.json"
SCHEDULE = "提出予定一覧.xlsx"
CHUNK_CONTRACTS = 40  # contracts per render/convert round: bounds memory and disk in flight


class Progress(Protocol):
    """What the pipeline tells its caller while it runs (the CLI draws bars or log lines)."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, name: str, n: int = 1) -> None: ...

    def log(self, message: str) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, n: int = 1) -> None:
        pass

    def log(self, message: str) -> None:
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


@dataclass
class _Written:
    """One file written for the manifest."""

    path: Path  # final path, relative to out
    contract_id: str
    form: int | None
    timing: str | None
    kind: str  # form / bundle / cover


def generate(options: Options, progress: Progress | None = None) -> Summary:
    """Run the whole job; returns what happened. Raises HinoFormsError when nothing can run."""
    progress = progress or _Silent()
    started = time.perf_counter()
    out = options.out
    summary = Summary(out=out)

    with _timed(summary, "read"):
        records = read_workbook(options.input_path)
    chosen = options.selection
    chosen.check(records)
    with _timed(summary, "plan"):
        planned = chosen.submissions(records)
    summary.problems = tuple(chosen.problems(records))
    summary.skipped = tuple(chosen.failed(records))

    soffice = _soffice_for(options, summary)
    by_contract = _group_by_contract(planned)
    contract_dirs = {cid: safe_name(cid) for cid in by_contract}
    _refuse_to_overwrite(out, contract_dirs.values(), options.force)

    renderer = Renderer(options.templates_dir)
    with _owner_only():
        _write_output(options, records, planned, by_contract, contract_dirs, renderer, soffice, summary, progress)
    summary.seconds = time.perf_counter() - started
    return summary


def _write_output(
    options: Options,
    records: Records,
    planned: list[Submission],
    by_contract: dict[str, list[Submission]],
    contract_dirs: dict[str, str],
    renderer: Renderer,
    soffice: Path | None,
    summary: Summary,
    progress: Progress,
) -> None:
    """Build every contract folder in the work folder and move each into ``out`` when complete."""
    out = options.out
    out.mkdir(parents=True, exist_ok=True)  # under umask 077: a new folder is the owner's only
    work_root = out / WORK_DIR
    shutil.rmtree(work_root, ignore_errors=True)  # what a killed run left behind
    written: list[_Written] = []
    files: dict[str, str] = {}
    try:
        work_root.mkdir()
        ready = [s for s in planned if s.status is Status.READY]
        progress.stage("render", len(ready))
        if soffice:
            progress.stage("convert", len(ready))
        progress.stage("bundle", len(_bundle_keys(ready)))
        ids = list(by_contract)
        for start in range(0, len(ids), CHUNK_CONTRACTS):
            chunk = ids[start : start + CHUNK_CONTRACTS]
            work = Path(tempfile.mkdtemp(dir=work_root))
            _run_chunk(
                chunk=[(cid, by_contract[cid]) for cid in chunk],
                records=records,
                renderer=renderer,
                work=work,
                contract_dirs=contract_dirs,
                options=options,
                soffice=soffice,
                summary=summary,
                progress=progress,
                written=written,
                files=files,
            )
            for cid in chunk:
                _move_into_place(work / contract_dirs[cid], out / contract_dirs[cid], options.force)
            shutil.rmtree(work, ignore_errors=True)
        summary.contracts = len(by_contract)
        _write_top_level(out, work_root, planned, records, summary, written, files)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)


def _run_chunk(
    *,
    chunk: list[tuple[str, list[Submission]]],
    records: Records,
    renderer: Renderer,
    work: Path,
    contract_dirs: dict[str, str],
    options: Options,
    soffice: Path | None,
    summary: Summary,
    progress: Progress,
    written: list[_Written],
    files: dict[str, str],
) -> None:
    """Render, convert and bundle the forms of a few contracts inside ``work``."""
    bundles: dict[tuple[str, str, str], list[tuple[Submission, Path]]] = {}
    with _timed(summary, "render"):
        for cid, subs in chunk:
            cdir = work / contract_dirs[cid]
            cdir.mkdir()
            for sub in subs:
                if sub.status is not Status.READY:
                    continue
                folder = cdir / timing_folder(sub)
                folder.mkdir(exist_ok=True)
                docx = inside(work, folder / f"{_form_stem(sub)}.docx")
                try:
                    renderer.render(sub, records, docx)
                except Exception as err:  # noqa: BLE001 — a broken template must not stop the batch
                    summary.failures.append(Failure(cid, sub.label, f"作成に失敗しました（{err}）"))
                    docx.unlink(missing_ok=True)
                    continue
                finally:
                    progress.advance("render")
                summary.forms += 1
                key = (cid, folder.name, submitter_key(sub))
                bundles.setdefault(key, []).append((sub, docx))

    pdfs: dict[Path, Path] = {}
    if soffice:
        docs = [d for items in bundles.values() for _, d in items]
        with _timed(summary, "convert"):
            result = pdf.convert(
                docs,
                jobs=options.jobs,
                soffice=soffice,
                progress=lambda _src, _pdf: progress.advance("convert"),
            )
        pdfs = dict(result.converted)
        summary.pdfs += len(pdfs)
        for docx, reason in result.failed.items():
            sub = next(s for items in bundles.values() for s, d in items if d == docx)
            summary.failures.append(Failure(sub.contract_id, sub.label, f"PDF 変換に失敗（{reason}）"))

    made: list[tuple[Submission, Path]] = []
    with _timed(summary, "bundle"):
        _make_bundles(bundles, records, renderer, work, pdfs, soffice, options, summary, progress, made)
    for sub, path in made:
        written.append(_Written(path.relative_to(work), sub.contract_id, None, sub.timing.value, "bundle"))

    for items in bundles.values():
        for sub, docx in items:
            rel = docx.relative_to(work)
            files[schedule.submission_key(sub)] = rel.as_posix()
            written.append(_Written(rel, sub.contract_id, sub.form, sub.timing.value, "form"))
            if docx in pdfs:
                written.append(
                    _Written(pdfs[docx].relative_to(work), sub.contract_id, sub.form, sub.timing.value, "form")
                )


def _make_bundles(
    bundles: dict[tuple[str, str, str], list[tuple[Submission, Path]]],
    records: Records,
    renderer: Renderer,
    work: Path,
    pdfs: dict[Path, Path],
    soffice: Path | None,
    options: Options,
    summary: Summary,
    progress: Progress,
    made: list[tuple[Submission, Path]],
) -> None:
    """Cover + forms → one Word bundle and (with PDFs) one bookmarked PDF bundle per key."""
    covers: dict[tuple[str, str, str], Path] = {}
    for key, items in bundles.items():
        cid, _folder, _who = key
        first = items[0][0]
        folder = items[0][1].parent
        cover = folder / f"{bundle_stem(cid, first)}_表紙.docx"
        renderer.render_cover(_cover(records, key, items, pdfs), cover)
        covers[key] = cover
    cover_pdfs: dict[Path, Path] = {}
    if soffice and covers:
        result = pdf.convert(list(covers.values()), jobs=options.jobs, soffice=soffice)
        cover_pdfs = dict(result.converted)
        for docx, reason in result.failed.items():
            summary.failures.append(Failure(docx.parent.parent.name, "表紙", f"PDF 変換に失敗（{reason}）"))

    for key, items in bundles.items():
        cid = key[0]
        first = items[0][0]
        folder = items[0][1].parent
        stem = bundle_stem(cid, first)
        cover = covers[key]
        contract = records.contract(cid)
        try:
            bundle.make_docx_bundle([cover, *(d for _, d in items)], folder / f"{stem}.docx")
            made.append((first, folder / f"{stem}.docx"))
            summary.bundles += 1
            if cover in cover_pdfs and all(d in pdfs for _, d in items):
                bundle.make_pdf_bundle(
                    [bundle.BundlePart(cover_pdfs[cover], None)]
                    + [bundle.BundlePart(pdfs[d], f"{s.label} {s.title}") for s, d in items],
                    folder / f"{stem}.pdf",
                    title=f"{contract.work_name} {first.timing.mark}{first.timing.japanese}",
                    author=_submitter_name(contract, first),
                    subject=f"{contract.contract_id} {contract.work_name}",
                    password=options.password,
                )
                made.append((first, folder / f"{stem}.pdf"))
        except Exception as err:  # noqa: BLE001 — one bad bundle must not stop the rest
            summary.failures.append(Failure(cid, f"綴り {stem}", f"作成に失敗しました（{err}）"))
        finally:
            cover.unlink(missing_ok=True)
            if cover in cover_pdfs:
                cover_pdfs[cover].unlink(missing_ok=True)
            progress.advance("bundle")


def _cover(
    records: Records,
    key: tuple[str, str, str],
    items: list[tuple[Submission, Path]],
    pdfs: dict[Path, Path],
) -> Cover:
    """The 送付書 of one bundle, with each form's first page when the PDFs are known."""
    cid = key[0]
    first = items[0][0]
    entries = []
    page: int | None = 2  # the cover is page 1
    for sub, docx in items:
        entries.append(CoverEntry(label=sub.label, title=sub.title, first_page=page))
        if page is not None and docx in pdfs:
            page += pdf.page_count(pdfs[docx])
        else:
            page = None
    concerned = tuple(
        p
        for p in records.problems_of(cid)
        if p.severity is Severity.WARNING and _concerns(p, first)
    )
    return Cover(
        contract=records.contract(cid),
        timing=first.timing,
        date=first.date,
        fiscal_year=first.fiscal_year,
        submitter_label=_submitter_label(records.contract(cid), first),
        entries=tuple(entries),
        problems=concerned,
    )


def _concerns(problem: Problem, sub: Submission) -> bool:
    """Which warnings a bundle's cover shows: the contract's own, and its subcontractor's."""
    if sub.subcontractor:
        return sub.subcontractor in problem.message or problem.sheet == "契約"
    return True


def _submitter_label(contract: Contract, sub: Submission) -> str:
    if sub.submitter is Submitter.CITY:
        return "日野市（再委託承認通知書）"
    if sub.submitter is Submitter.SUBCONTRACTOR and sub.subcontractor:
        return f"再委託先 {sub.subcontractor}（受託者 {contract.contractor_name} 経由）"
    return f"受託者 {contract.contractor_name}"


def _submitter_name(contract: Contract, sub: Submission) -> str:
    if sub.submitter is Submitter.CITY:
        return "日野市長"
    if sub.submitter is Submitter.SUBCONTRACTOR and sub.subcontractor:
        return sub.subcontractor
    return contract.contractor_name


def _form_stem(sub: Submission) -> str:
    return safe_name(form_filename(sub))


def _group_by_contract(subs: Sequence[Submission]) -> dict[str, list[Submission]]:
    grouped: dict[str, list[Submission]] = {}
    for s in subs:
        grouped.setdefault(s.contract_id, []).append(s)
    return grouped


def _bundle_keys(subs: Sequence[Submission]) -> set[tuple[str, str, str]]:
    return {(s.contract_id, timing_folder(s), submitter_key(s)) for s in subs}


def _soffice_for(options: Options, summary: Summary) -> Path | None:
    """LibreOffice when PDFs are wanted and possible; explicit --pdf without it is an error."""
    if options.pdf is False:
        summary.pdf_skipped_reason = "--no-pdf が指定されたため PDF は作成しません"
        return None
    found = pdf.find_soffice()
    if found is None:
        if options.pdf:
            raise PdfUnavailable(
                "LibreOffice（soffice）が見つからないため PDF を作成できません。"
                "make demo でインストールするか、--no-pdf で Word だけを作成してください"
            )
        summary.pdf_skipped_reason = (
            "LibreOffice（soffice）が見つからないため PDF は作成せず、Word (.docx) だけを作成しました"
        )
    return found


def _refuse_to_overwrite(out: Path, contract_dirs: Iterable[str], force: bool) -> None:
    """Existing output is never replaced silently: without --force, stop before writing anything."""
    if force or not out.exists():
        return
    names = [*contract_dirs, MANIFEST, SCHEDULE]
    existing = [n for n in names if (out / n).exists()]
    if existing:
        shown = "、".join(existing[:5]) + (" ほか" if len(existing) > 5 else "")
        raise OutputExists(
            f"出力先 {out} に既存の出力（{shown}）があります。何も変更していません。"
            "置き換える場合は --force を付けてください"
        )


def _move_into_place(src: Path, dest: Path, force: bool) -> None:
    """One rename per contract folder; with --force the old folder is replaced."""
    if not src.exists():
        return
    if dest.exists():
        if not force:  # checked up front; a folder appearing meanwhile is still not overwritten
            raise OutputExists(f"{dest} が実行中に作成されました。置き換えていません")
        trash = src.parent / f"{src.name}.old"
        os.replace(dest, trash)
        os.replace(src, dest)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(src, dest)


def _write_top_level(
    out: Path,
    work_root: Path,
    planned: list[Submission],
    records: Records,
    summary: Summary,
    written: list[_Written],
    files: dict[str, str],
) -> None:
    """manifest.json and 提出予定一覧.xlsx, each written aside and renamed into place."""
    entries = []
    for w in written:
        path = out / w.path
        if path.exists():
            entries.append(
                {
                    "path": w.path.as_posix(),
                    "contract_id": w.contract_id,
                    "form": w.form,
                    "timing": w.timing,
                    "kind": w.kind,
                    "sha256": bundle.sha256_file(path),
                }
            )
    manifest = {"generator": "hino-forms", "files": entries}
    tmp = work_root / MANIFEST
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, out / MANIFEST)
    tmp_xlsx = work_root / SCHEDULE
    contracts = {c.contract_id: c for c in records.contracts}
    schedule.write_xlsx(tmp_xlsx, planned, list(summary.problems), files=files, contracts=contracts)
    os.replace(tmp_xlsx, out / SCHEDULE)


@contextlib.contextmanager
def _owner_only() -> Iterator[None]:
    """Files created during the run are readable by their owner only (umask 077)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def _timed(summary: Summary, stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + time.perf_counter() - t0
