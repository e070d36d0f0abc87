"""The one place the web page calls the library: read, plan, export, generate, the blank workbook.

Kept small on purpose: when the library's internals move (Problem, bundles, the output
folder), this module is the one to adapt.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from hino_forms.contractor.blank import write_input_workbook
from hino_forms.contractor.prefill import load_prefill
from hino_forms.errors import HinoFormsError
from hino_forms.models import Problem, Records, Submission
from hino_forms.output import folder as outdir
from hino_forms.output.pdf import Converter
from hino_forms.output.pipeline import Options, generate
from hino_forms.planning import export
from hino_forms.planning.selection import Selection
from hino_forms.web.store import Job, Stage
from hino_forms.workbook.limits import Limits
from hino_forms.workbook.reader import read_workbook

STAGE_LABELS = {"render": "Word 作成", "convert": "PDF 変換", "bundle": "綴り作成"}
PLAN_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}


def read(path: Path, limits: Limits) -> Records:
    """The workbook's records and problems, refused before reading beyond ``limits``
    (InputUnusable when it cannot be used at all)."""
    return read_workbook(path, within=limits)


@dataclass(frozen=True)
class ProblemRow:
    """One problem as the page shows it."""

    severity: str  # error / warning
    label: str  # エラー / 警告
    sheet: str
    cell: str
    contract_id: str
    message: str


def problem_rows(problems: Sequence[Problem]) -> list[ProblemRow]:
    """The problems for a table: severity, sheet, cell (or row), contract, what is wrong."""
    return [
        ProblemRow(
            p.severity.value,
            p.severity.label,
            p.sheet,
            p.cell or (f"{p.row}行目" if p.row else ""),
            p.contract_id or "",
            p.text,
        )
        for p in problems
    ]


def plan(records: Records, selection: Selection) -> tuple[list[Submission], list[Problem]]:
    """The chosen submissions and problems, exactly as ``plan`` prints them."""
    selection.check(records)
    return selection.submissions(records), selection.problems(records)


def write_plan(fmt: str, path: Path, records: Records, selection: Selection) -> None:
    """The plan as xlsx, csv or ics, written by the same writers the CLI uses."""
    submissions, problems = plan(records, selection)
    contracts = {c.contract_id: c for c in records.contracts}
    if fmt == "xlsx":
        export.write_xlsx(path, submissions, problems, contracts=contracts)
    elif fmt == "csv":
        export.write_csv(path, submissions, contracts)
    else:
        export.write_ics(path, submissions, contracts)


def input_workbook(path: Path, *, ledger: Path | None = None, contract_id: str = "") -> Path:
    """The contractors' input workbook (``init``): blank, or pre-filled for one contract."""
    prefill = load_prefill(ledger, contract_id) if ledger is not None and contract_id else None
    return write_input_workbook(path, prefill=prefill)


class JobProgress:
    """The pipeline's Progress protocol, recorded on the job for its event stream."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def stage(self, name: str, total: int) -> None:
        self.job.stages.append(Stage(STAGE_LABELS.get(name, name), total))
        self.job.version += 1

    def advance(self, name: str, n: int = 1) -> None:
        label = STAGE_LABELS.get(name, name)
        for stage in self.job.stages:
            if stage.name == label:
                stage.done = min(stage.total, stage.done + n)
        self.job.version += 1


def run_job(
    job: Job,
    *,
    selection: Selection,
    password: str | None,
    converter: Converter | None,
    when: Callable[[], float] = time.time,
) -> None:
    """Generate into the job's folder, then zip it and list its bundle PDFs; never raises."""
    job.state, job.started = "running", when()
    job.version += 1
    try:
        workbook = job.folder / "input.xlsx"
        shutil.copyfile(job.upload.path, workbook)  # the job outlives its upload's expiry
        job.summary = generate(
            Options(
                input_path=workbook,
                out=job.out,
                selection=selection,
                password=password,
                converter=converter,
            ),
            JobProgress(job),
        )
        job.bundles = _bundle_pdfs(job.out)
        job.zip_path = _zip(job.out, job.folder / "output.zip")
        job.state = "done"
    except HinoFormsError as err:
        job.error, job.state = str(err), "failed"
    except Exception as err:  # noqa: BLE001 — the page must learn that the job ended
        job.error = f"作成中に予期しないエラーが起きました（{type(err).__name__}: {err}）"
        job.state = "failed"
    finally:
        job.finished = when()
        job.version += 1


def _bundle_pdfs(out: Path) -> list[Path]:
    """The bundle PDFs the run wrote, from its manifest (paths relative to ``out``)."""
    manifest = out / outdir.MANIFEST
    if not manifest.is_file():
        return []
    files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    return [Path(f["path"]) for f in files if f["kind"] == "bundle" and f["path"].endswith(".pdf")]


def _zip(out: Path, target: Path) -> Path:
    """The whole output folder (SPEC §5's layout) as one ZIP, names in UTF-8."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            rel = path.relative_to(out)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                zf.write(path, Path("様式一式") / rel)
    return target


def default_window(today: date) -> tuple[date, date]:
    """What is due in the next 30 days: the page's default."""
    return today, today + timedelta(days=30)
