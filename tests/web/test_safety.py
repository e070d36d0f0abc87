"""The safety list without a browser: upload limits, CSRF, headers, the access password, the queue."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from hino_forms.web.app import create_app
from hino_forms.web.settings import MB, WEB_LIMITS, Settings
from hino_forms.workbook.limits import Limits
from tests.conftest import SAMPLE

SMALL = Limits(max_rows=100, max_uncompressed_bytes=10 * MB)


def client_for(**settings: object) -> Iterator[TestClient]:
    app = create_app(Settings(local_unoservers=0, **settings))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from client_for()


def csrf(client: TestClient, path: str = "/") -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, "every page with a form carries the CSRF token"
    return match[1]


def upload(client: TestClient, path: Path, name: str) -> str:
    """Upload ``path`` as ``name`` on the check page; the page that comes back."""
    token = csrf(client)
    with path.open("rb") as f:
        r = client.post("/upload", data={"csrf": token, "next": "check"}, files={"file": (name, f)})
    return r.text


def test_the_sample_passes_the_servers_limits() -> None:
    for client in client_for(limits=SMALL):
        page = upload(client, SAMPLE, "台帳.xlsx")
        assert "台帳.xlsx" in page and "件・警告" in page  # read and checked
        assert "上限" not in page


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/media/huge.bin", bytes(20 * 1024 * 1024))  # compresses to ~20 KB
    assert bomb.stat().st_size < 100_000
    for client in client_for(limits=SMALL):
        page = upload(client, bomb, "爆弾.xlsx")
        assert "爆弾.xlsx は展開すると 20 MB になり、上限 10 MB を超えるため読みません" in page
        assert "workbook.xlsx" not in page  # the server's own file name is never shown


def test_a_sheet_with_too_many_rows_is_named(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "従事者"
    for i in range(150):
        wb.active.append([f"架空 {i}"])
    path = tmp_path / "many.xlsx"
    wb.save(path)
    for client in client_for(limits=SMALL):
        page = upload(client, path, "従事者一覧.xlsx")
        assert "従事者一覧.xlsx の「従事者」シートは A150 まで使われていて" in page
        assert "上限（100 行・" in page


def test_a_file_that_is_not_a_workbook_is_named(tmp_path: Path) -> None:
    text = tmp_path / "memo.txt"
    text.write_text("架空のメモ", encoding="utf-8")
    for client in client_for():
        assert "「memo.txt」は Excel ブック（.xlsx）ではありません" in upload(
            client, text, "memo.txt"
        )


def test_a_form_without_the_sessions_token_is_refused(client: TestClient) -> None:
    with SAMPLE.open("rb") as f:
        r = client.post("/upload", data={"next": "check"}, files={"file": ("s.xlsx", f)})
    assert r.status_code == 403
    assert "ページの有効期限が切れています" in r.text


def test_every_page_sends_the_security_headers(client: TestClient) -> None:
    r = client.get("/check")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert (
        "<script>" not in r.text and " style=" not in r.text
    )  # nothing inline for the CSP to block
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


def test_paths_and_templates_never_come_from_a_request(client: TestClient) -> None:
    token = csrf(client)
    with SAMPLE.open("rb") as f:
        client.post(
            "/upload",
            data={"csrf": token, "next": "../../etc"},
            files={"file": ("../../evil.xlsx", f)},
        )
    assert client.get("/check").status_code == 200  # "next" fell back to the check page
    assert "evil.xlsx" in client.get("/check").text  # the name is shown, never used as a path
    for url in (
        "/plan/download.pdf",
        "/jobs/..%2F..%2Fetc/zip",
        "/jobs/x/files/-1",
        "/static/../app.py",
    ):
        assert client.get(url).status_code == 404, url


def test_the_access_password_guards_every_page() -> None:
    for client in client_for(password="Hino-Test-2026"):
        r = client.get("/check", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        token = csrf(client, "/login")
        wrong = client.post("/login", data={"csrf": token, "password": "違う"})
        assert wrong.status_code == 400 and "パスワードが違います" in wrong.text
        client.post("/login", data={"csrf": token, "password": "Hino-Test-2026"})
        assert client.get("/check", follow_redirects=False).status_code == 200


def test_a_full_queue_says_so_instead_of_falling_over() -> None:
    for client in client_for(max_jobs=0):
        token = csrf(client)
        with SAMPLE.open("rb") as f:
            client.post(
                "/upload", data={"csrf": token, "next": "generate"}, files={"file": ("s.xlsx", f)}
            )
        r = client.post(
            "/generate", data={"csrf": token, "contract": "R7-003", "from": "", "to": ""}
        )
        assert r.status_code == 503
        assert "混み合っています" in r.text


def test_a_window_that_ends_before_it_starts_is_named_next_to_the_date(
    client: TestClient,
) -> None:
    token = csrf(client)
    with SAMPLE.open("rb") as f:
        client.post("/upload", data={"csrf": token, "next": "plan"}, files={"file": ("s.xlsx", f)})
    r = client.get("/plan", params={"from": "2026-05-01", "to": "2026-04-01"})
    assert r.status_code == 200
    assert "開始日（2026-05-01）が終了日（2026-04-01）より後になっています" in r.text


def test_a_clean_workbook_says_so(client: TestClient, tmp_path: Path) -> None:
    from hino_forms.contractor.blank import write_input_workbook
    from tests.test_init import fill_example

    clean = write_input_workbook(tmp_path / "記入済み.xlsx")
    fill_example(clean)
    token = csrf(client)
    with clean.open("rb") as f:
        r = client.post(
            "/upload", data={"csrf": token, "next": "check"}, files={"file": ("記入済み.xlsx", f)}
        )
    assert "問題はありませんでした" in r.text
    assert "契約 1 件すべてについて、様式を作成できます" in r.text


def test_staff_download_a_prefilled_workbook_and_the_plan_as_a_calendar(
    client: TestClient, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    token = csrf(client)
    with SAMPLE.open("rb") as f:
        client.post(
            "/upload", data={"csrf": token, "next": "check"}, files={"file": ("台帳.xlsx", f)}
        )
    assert "記入済みのブックをダウンロード" in client.get("/contractor").text
    r = client.get("/contractor/input.xlsx", params={"contract": "R7-001"})
    assert r.status_code == 200
    assert (
        "filename*=utf-8''%E5%85%A5%E5%8A%9B%E3%83%96%E3%83%83%E3%82%AF_R7-001.xlsx"
        in (r.headers["content-disposition"])
    )
    path = tmp_path / "R7-001.xlsx"
    path.write_bytes(r.content)
    contract_sheet = load_workbook(path)["契約"]
    assert contract_sheet["A2"].value == "R7-001"
    assert client.get("/contractor/input.xlsx", params={"contract": "R9-999"}).status_code == 404
    ics = client.get("/plan/download.ics", params={"contract": "R7-001", "timing": "conclusion"})
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.count("BEGIN:VEVENT") == 4


def test_the_servers_limits_are_the_readers_tighter_and_its_variables_raise_them() -> None:
    assert Settings.from_env({}).limits == WEB_LIMITS
    assert WEB_LIMITS.max_rows < Limits().max_rows
    raised = Settings.from_env({"HINO_FORMS_MAX_ROWS": "50000"}).limits
    assert raised.max_rows == 50_000 and raised.max_cells == WEB_LIMITS.max_cells
