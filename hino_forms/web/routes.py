"""The pages: 点検 (check), 提出予定 (plan), 作成 (generate) with its progress, 受託者の方へ.

Every page is a server-rendered template and works as plain HTML forms; htmx (hx-boost, the
server-sent-events extension) only makes it smoother. Nothing from a request is ever used as a
path or a template: uploads and results are found by unguessable id within the session.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.templating import Jinja2Templates
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from hino_forms.dates import DateFormatError, format_wareki, parse_date
from hino_forms.errors import DatesReversed, HinoFormsError, InputUnusable
from hino_forms.models import Records, Severity, Status, Timing
from hino_forms.password import password_problems
from hino_forms.planning.selection import Selection
from hino_forms.web import engine
from hino_forms.web.jobs import JobRunner
from hino_forms.web.security import CsrfFailed, check_csrf, csrf_token, owner, password_ok
from hino_forms.web.settings import Settings, megabytes
from hino_forms.web.store import Job, NotFound, Store, Upload, new_id

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["wareki"] = format_wareki
templates.env.globals["TIMINGS"] = [(t.value, t.label) for t in Timing]

# Where an upload form sends the browser back to (the only values accepted).
PAGES = {"check": "/check", "plan": "/plan", "generate": "/generate", "contractor": "/contractor"}
STAFF, CONTRACTOR = "staff", "contractor"  # each page family keeps its own current workbook


# ---------------------------------------------------------------- helpers


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """Render a page with what every page needs (the CSRF token, the navigation, the limits)."""
    settings = _settings(request)
    context.update(
        csrf=csrf_token(request),
        max_upload=megabytes(settings.max_upload_bytes),
        expiry_minutes=round(settings.expiry / 60),
        login=settings.password is not None,
    )
    return templates.TemplateResponse(request, name, context, status_code=status)


def refuse(request: Request, status: int, message: str) -> Response:
    """An error page with one Japanese message (also used by the middleware)."""
    titles = {
        403: "送信を受け付けられませんでした",
        404: "見つかりません",
        411: "送信を受け付けられませんでした",
        413: "ファイルが大きすぎます",
        503: "ただいま混み合っています",
    }
    return page(request, "error.html", status, title=titles.get(status, "エラー"), message=message)


def current(request: Request, kind: str) -> Upload | None:
    """The workbook this session last uploaded for ``kind`` (None when none, or expired)."""
    uploads = request.session.get("uploads") or {}
    try:
        return _store(request).upload(owner(request), uploads.get(kind))
    except NotFound:
        return None


@dataclass
class Filters:
    """The selection a page's form describes, with a message per field that could not be read."""

    contracts: list[str] = field(default_factory=list)
    timing: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def selection(self) -> Selection:
        timing = next((t for t in Timing if t.value == self.timing), None)
        return Selection(
            contracts=tuple(self.contracts),
            timing=timing,
            date_from=self._date("from", self.date_from),
            date_to=self._date("to", self.date_to),
        )

    def _date(self, name: str, text: str) -> date | None:
        if not text or name in self.errors:
            return None
        try:
            return parse_date(text)
        except DateFormatError as err:
            self.errors[name] = f"日付が読めません（{err}）。例: 2026-04-01"
            return None

    def query(self) -> str:
        """The same filters as a query string (for the download links)."""
        from urllib.parse import urlencode

        pairs = [("contract", c) for c in self.contracts]
        pairs += [("timing", self.timing), ("from", self.date_from), ("to", self.date_to)]
        return urlencode([(k, v) for k, v in pairs if v])


def filters_from(params: Mapping[str, Any], contracts: list[str]) -> Filters:
    """Filters from a query or form: only known contracts and timings are kept."""
    getlist = getattr(params, "getlist", None)
    chosen = getlist("contract") if getlist else []
    f = Filters(
        contracts=[c for c in chosen if c in contracts],
        timing=str(params.get("timing") or ""),
        date_from=str(params.get("from") or "").strip(),
        date_to=str(params.get("to") or "").strip(),
    )
    safe_selection(f)  # records unreadable dates and a reversed window in f.errors
    return f


def safe_selection(f: Filters) -> Selection:
    """The filters' Selection; a window that ends before it starts is a field error, not a crash."""
    try:
        return f.selection()
    except DatesReversed as err:
        f.errors["to"] = f"開始日（{err.date_from}）が終了日（{err.date_to}）より後になっています"
        return Selection(contracts=tuple(f.contracts), timing=None)


def contract_ids(records: Records) -> list[str]:
    return [c.contract_id for c in records.contracts]


# ---------------------------------------------------------------- pages


@router.get("/")
async def home(request: Request) -> Response:
    """The first page: what each page is for."""
    return page(request, "home.html", upload=current(request, STAFF))


@router.get("/check")
async def check_page(request: Request) -> Response:
    """点検: the problems of the uploaded workbook, filterable by severity, sheet and contract."""
    upload = current(request, STAFF)
    if upload is None:
        return page(request, "check.html", upload=None, next="check")
    rows = engine.problem_rows(upload.records.problems)
    q = request.query_params
    severity, sheet, contract = q.get("severity", ""), q.get("sheet", ""), q.get("contract", "")
    shown = [
        r
        for r in rows
        if (not severity or r.severity == severity)
        and (not sheet or r.sheet == sheet)
        and (not contract or r.contract_id == contract)
    ]
    return page(
        request,
        "check.html",
        upload=upload,
        next="check",
        rows=shown,
        total=len(rows),
        errors=sum(r.severity == Severity.ERROR.value for r in rows),
        warnings=sum(r.severity == Severity.WARNING.value for r in rows),
        failed=sorted(upload.records.failed_contract_ids),
        sheets=sorted({r.sheet for r in rows}),
        contracts=sorted({r.contract_id for r in rows if r.contract_id}),
        chosen={"severity": severity, "sheet": sheet, "contract": contract},
    )


@router.post("/upload")
async def upload(request: Request) -> Response:
    """Take a workbook: limits first, then the reader; back to the page it came from."""
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    nxt = str(form.get("next") or "check")
    nxt = nxt if nxt in PAGES else "check"
    kind = CONTRACTOR if nxt == "contractor" else STAFF
    file = form.get("file")
    settings = _settings(request)
    if not isinstance(file, UploadFile) or not file.filename:
        message = "Excel ブック（.xlsx）を選んでから「読み込む」を押してください。"
        return await _upload_failed(request, nxt, message)
    name = Path(file.filename.replace("\\", "/")).name  # shown only, never a path
    folder = _store(request).folder()
    path = folder / "workbook.xlsx"
    try:
        size = await _save(file, path, settings.max_upload_bytes)
        if size > settings.max_upload_bytes:
            raise HinoFormsError(
                f"「{name}」は大きすぎます（上限 {megabytes(settings.max_upload_bytes)}）。"
                "契約ごとなどに分けたブックにしてください。"
            )
        if not name.lower().endswith((".xlsx", ".xlsm")):
            raise InputUnusable(
                f"「{name}」は Excel ブック（.xlsx）ではありません。"
                "Excel で開き「Excel ブック (*.xlsx)」形式で保存してから選んでください"
            )
        records = await asyncio.to_thread(engine.read, path, settings.limits)
    except HinoFormsError as err:
        shutil.rmtree(folder, ignore_errors=True)
        message = str(err).replace(str(path), name).replace(path.name, name)
        return await _upload_failed(request, nxt, message)
    item = Upload(id=new_id(), owner=owner(request), name=name, path=path, records=records)
    _store(request).add_upload(item)
    uploads = dict(request.session.get("uploads") or {})
    uploads[kind] = item.id
    request.session["uploads"] = uploads
    return RedirectResponse(PAGES[nxt], status_code=303)


async def _save(file: UploadFile, path: Path, limit: int) -> int:
    """Copy the upload to ``path``, stopping one chunk past ``limit``; returns the bytes seen."""
    size = 0
    with path.open("wb") as out:
        while chunk := await file.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    return size


async def _upload_failed(request: Request, nxt: str, message: str) -> Response:
    """The page the upload came from, with the message next to the file field (status 400)."""
    if nxt == "contractor":
        return page(request, "contractor.html", 400, upload_error=message, **_contractor(request))
    return page(request, f"{nxt}.html", 400, upload=None, next=nxt, upload_error=message)


@router.get("/plan")
async def plan_page(request: Request) -> Response:
    """提出予定: the schedule, filtered by contract, timing and date window, with downloads."""
    upload = current(request, STAFF)
    if upload is None:
        return page(request, "plan.html", upload=None, next="plan")
    ids = contract_ids(upload.records)
    f = filters_from(request.query_params, ids)
    selection = safe_selection(f)
    submissions, problems = engine.plan(upload.records, selection)
    return page(
        request,
        "plan.html",
        upload=upload,
        next="plan",
        filters=f,
        contract_ids=ids,
        submissions=submissions,
        errors=sum(p.severity is Severity.ERROR for p in problems),
        works={c.contract_id: c.work_name for c in upload.records.contracts},
        query=f.query(),
    )


@router.get("/plan/download.{fmt}")
async def plan_download(request: Request, fmt: str) -> Response:
    """The shown schedule as xlsx, csv or ics (the CLI's writers)."""
    upload = current(request, STAFF)
    if upload is None or fmt not in engine.PLAN_FORMATS:
        raise NotFound(fmt)
    f = filters_from(request.query_params, contract_ids(upload.records))
    folder = _store(request).folder()
    path = folder / f"提出予定.{fmt}"
    await asyncio.to_thread(engine.write_plan, fmt, path, upload.records, safe_selection(f))
    return FileResponse(
        path,
        media_type=engine.PLAN_FORMATS[fmt],
        filename=f"提出予定.{fmt}",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.get("/generate")
async def generate_page(request: Request) -> Response:
    """作成: choose contracts, timing and window (default: due in the next 30 days)."""
    upload = current(request, STAFF)
    if upload is None:
        return page(request, "generate.html", upload=None, next="generate")
    ids = contract_ids(upload.records)
    start, end = engine.default_window(date.today())
    params = request.query_params
    f = (
        filters_from(params, ids)
        if params
        else Filters(contracts=ids, date_from=start.isoformat(), date_to=end.isoformat())
    )
    return _generate_form(request, upload, f)


def _generate_form(
    request: Request,
    upload: Upload,
    f: Filters,
    status: int = 200,
    password_errors: list[str] | None = None,
    encrypt: bool = False,
    account: str = "",
    form_error: str = "",
) -> Response:
    ids = contract_ids(upload.records)
    ready = _ready_count(upload, f)
    return page(
        request,
        "generate.html",
        status,
        upload=upload,
        next="generate",
        filters=f,
        contracts=upload.records.contracts,
        failed=upload.records.failed_contract_ids,
        contract_ids=ids,
        ready=ready,
        password_errors=password_errors or [],
        encrypt=encrypt,
        account=account,
        form_error=form_error,
    )


def _ready_count(upload: Upload, f: Filters) -> int:
    """How many forms the filters would make (0 also when a filter is unreadable)."""
    if not f.contracts:
        return 0
    selection = safe_selection(f)
    if f.errors:
        return 0
    submissions, _ = engine.plan(upload.records, selection)
    return sum(s.status is Status.READY for s in submissions)


@router.get("/generate/count")
async def generate_count(request: Request) -> Response:
    """The "N 件の様式を作成します" line, refreshed by htmx as the choices change."""
    upload = current(request, STAFF)
    if upload is None:
        raise NotFound("upload")
    f = filters_from(request.query_params, contract_ids(upload.records))
    return templates.TemplateResponse(
        request, "_count.html", {"ready": _ready_count(upload, f), "filters": f}
    )


@router.post("/generate")
async def generate_start(request: Request) -> Response:
    """Check every choice (the password against the city's policy first), then queue the job."""
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    upload = current(request, STAFF)
    if upload is None:
        return RedirectResponse("/generate", status_code=303)
    f = filters_from(form, contract_ids(upload.records))
    selection = safe_selection(f)
    encrypt = form.get("encrypt") == "on"
    account = str(form.get("account") or "").strip()
    password: str | None = None
    password_errors: list[str] = []
    if encrypt:
        password = str(form.get("password") or "")
        if not password:
            password_errors.append("パスワードを入力してください。")
        elif password != str(form.get("password2") or ""):
            password_errors.append("確認のために入力したパスワードが一致しません。")
        else:
            password_errors = password_problems(password, account)
    form_error = ""
    if not f.contracts:
        f.errors["contract"] = "契約を 1 件以上選んでください。"
    elif not f.errors and _ready_count(upload, f) == 0:
        form_error = (
            "この条件で作成する様式はありません。期間を広げるか、時期を「すべて」にしてください。"
        )
    if f.errors or password_errors or form_error:
        return _generate_form(
            request, upload, f, 400, password_errors, encrypt, account, form_error
        )
    title = _job_title(upload, f, encrypt)
    return _start_job(request, upload, selection, password, title, preview=False)


def _job_title(upload: Upload, f: Filters, encrypt: bool) -> str:
    every = len(f.contracts) == len(upload.records.contracts)
    who = f"すべての契約（{len(f.contracts)} 件）" if every else "・".join(f.contracts)
    timing = Timing(f.timing).label if f.timing else "すべての時期"
    window = ""
    if f.date_from or f.date_to:
        start = format_wareki(parse_date(f.date_from)) if f.date_from else ""
        end = format_wareki(parse_date(f.date_to)) if f.date_to else ""
        window = f"、{start}〜{end}"
    return f"{who}、{timing}{window}" + ("（PDF は暗号化）" if encrypt else "")


def _start_job(
    request: Request,
    upload: Upload,
    selection: Selection,
    password: str | None,
    title: str,
    *,
    preview: bool,
) -> Response:
    runner: JobRunner = request.app.state.runner
    job = Job(
        id=new_id(),
        owner=owner(request),
        upload=upload,
        folder=_store(request).folder(),
        title=title,
        preview=preview,
    )
    try:
        runner.submit(job, selection=selection, password=password)
    except HinoFormsError as err:
        shutil.rmtree(job.folder, ignore_errors=True)
        return refuse(request, 503, str(err))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}")
async def job_page(request: Request, job_id: str) -> Response:
    """A job: its progress (live through server-sent events), then its downloads."""
    job = _store(request).job(owner(request), job_id)
    return page(request, "job.html", job=job)


@router.get("/jobs/{job_id}/events")
async def job_events(request: Request, job_id: str) -> Response:
    """The job's progress as server-sent events: "progress" while it runs, one "end" at the end."""
    job = _store(request).job(owner(request), job_id)
    status = templates.get_template("_job_status.html")

    async def events() -> AsyncIterator[dict[str, str]]:
        seen = -1
        while not await request.is_disconnected():
            if job.version != seen:
                seen = job.version
                html = status.render(job=job)
                if job.finished_state:
                    yield {"event": "end", "data": html}
                    return
                yield {"event": "progress", "data": html}
            await asyncio.sleep(0.2)

    return EventSourceResponse(events(), ping=15)


@router.get("/jobs/{job_id}/zip")
async def job_zip(request: Request, job_id: str) -> Response:
    """Everything the job made, in SPEC §5's layout, as one ZIP."""
    job = _store(request).job(owner(request), job_id)
    if job.zip_path is None or not job.zip_path.is_file():
        raise NotFound(job_id)
    stamp = date.fromtimestamp(job.created).strftime("%Y%m%d")
    return FileResponse(
        job.zip_path, media_type="application/zip", filename=f"様式一式_{stamp}.zip"
    )


@router.get("/jobs/{job_id}/files/{index}")
async def job_file(request: Request, job_id: str, index: int) -> Response:
    """One bundle PDF of the job, by its number in the job's own list (never by path)."""
    job = _store(request).job(owner(request), job_id)
    if not 0 <= index < len(job.bundles):
        raise NotFound(job_id)
    path = job.out / job.bundles[index]
    if not path.is_file():
        raise NotFound(job_id)
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=path.name,
        content_disposition_type="inline" if job.preview else "attachment",
    )


@router.get("/contractor")
async def contractor_page(request: Request) -> Response:
    """受託者の方へ: the blank workbook, then a filled one checked with its schedule and a preview."""
    return page(request, "contractor.html", **_contractor(request))


def _contractor(request: Request) -> dict[str, Any]:
    upload = current(request, CONTRACTOR)
    ledger = current(request, STAFF)
    context: dict[str, Any] = {"upload": upload, "ledger": ledger}
    if upload is not None:
        submissions, _ = engine.plan(upload.records, Selection())
        context.update(
            rows=engine.problem_rows(upload.records.problems),
            submissions=submissions,
            works={c.contract_id: c.work_name for c in upload.records.contracts},
            failed=sorted(upload.records.failed_contract_ids),
        )
    return context


@router.get("/contractor/input.xlsx")
async def contractor_workbook(request: Request) -> Response:
    """The input workbook: blank, or pre-filled for one contract of the staff's uploaded ledger."""
    contract = request.query_params.get("contract", "")
    ledger = current(request, STAFF) if contract else None
    if contract and (ledger is None or contract not in contract_ids(ledger.records)):
        raise NotFound(contract)
    folder = _store(request).folder()
    name = f"入力ブック_{contract}.xlsx" if contract else "入力ブック.xlsx"
    path = folder / "input.xlsx"
    await asyncio.to_thread(
        engine.input_workbook,
        path,
        ledger=ledger.path if ledger else None,
        contract_id=contract,
    )
    return FileResponse(
        path,
        media_type=engine.PLAN_FORMATS["xlsx"],
        filename=name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.post("/contractor/preview")
async def contractor_preview(request: Request) -> Response:
    """Make the contractor's forms as PDF for a look (not for submission)."""
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    upload = current(request, CONTRACTOR)
    if upload is None:
        return RedirectResponse("/contractor", status_code=303)
    ids = "・".join(contract_ids(upload.records)) or "—"
    return _start_job(
        request, upload, Selection(), None, f"様式のプレビュー（契約 {ids}）", preview=True
    )


@router.get("/login")
async def login_page(request: Request) -> Response:
    """The access password of a shared machine (HINO_FORMS_WEB_PASSWORD)."""
    if _settings(request).password is None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    if password_ok(_settings(request), str(form.get("password") or "")):
        request.session["authed"] = True
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", 400, error="パスワードが違います。")


# ---------------------------------------------------------------- errors


def install_error_pages(app: FastAPI) -> None:
    """Japanese pages for not found (also another session's ids), stale forms and bad methods."""

    async def not_found(request: Request, exc: Exception) -> Response:
        return refuse(
            request,
            404,
            "このページ・ファイルはありません。保存期間を過ぎて削除されたか、"
            "別のブラウザで作成されたものです。もう一度ブックを読み込んでください。",
        )

    async def csrf_failed(request: Request, exc: Exception) -> Response:
        return refuse(
            request,
            403,
            "ページの有効期限が切れています。ページを開き直してから、もう一度送信してください。",
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        code = exc.status_code if isinstance(exc, HTTPException) else 500
        if code == 404:
            return await not_found(request, exc)
        return refuse(request, code, "このページは開けません。上のメニューから選び直してください。")

    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(CsrfFailed, csrf_failed)
    app.add_exception_handler(HTTPException, http_error)
