"""What a clerk and a contractor do in a real browser: check, generate and download, the
contractor's round trip, refused uploads, and privacy between sessions and over time."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.conftest import SAMPLE
from tests.test_init import fill_example
from tests.web.conftest import Server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "screenshots"


def shot(page: Page, name: str) -> None:
    """Keep a screenshot of what the user saw (bench/out is ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def upload(page: Page, path: Path, where: str = "/check") -> None:
    page.goto(where)
    page.locator("input[type=file]").first.set_input_files(path)
    # htmx swaps the answer into the page (hx-boost): wait for that swap, whatever it says.
    page.evaluate(
        "() => { window.swapped = new Promise(done => document.body.addEventListener("
        "'htmx:afterSettle', () => done(true), {once: true})); }"
    )
    page.locator("form.upload button[type=submit]").first.click()
    page.evaluate("window.swapped")


def generate(page: Page, contract: str, timing: str = "conclusion") -> str:
    """Upload the sample, choose one contract and timing over all dates, click 作成する; the job URL."""
    upload(page, SAMPLE)
    page.goto("/generate")
    for box in page.locator("input[name=contract]").all():
        box.set_checked(box.get_attribute("value") == contract)
    page.select_option("#f-timing", timing)
    page.fill("#f-from", "")
    page.fill("#f-to", "")
    page.get_by_role("button", name="作成する").click()
    page.wait_for_url("**/jobs/*")
    return page.url


def test_first_visit_offers_one_thing_to_do(page: Page) -> None:
    """A clerk who has never used it sees what it does and one green button: choose a workbook."""
    page.goto("/")
    shot(page, "1-first-visit")
    expect(page.locator("h1")).to_have_text("外部委託の様式を作成する")
    expect(page.locator(".button.primary")).to_have_count(1)
    expect(page.get_by_role("navigation")).to_contain_text("点検")
    expect(page.get_by_role("navigation")).to_contain_text("受託者の方へ")


def test_check_shows_the_samples_eight_warnings_at_their_cells(page: Page) -> None:
    upload(page, SAMPLE)
    expect(page.locator(".panel h2")).to_have_text("エラー 0 件・警告 8 件")
    shot(page, "2-after-upload-check")
    rows = page.locator("table.problems tbody tr")
    expect(rows).to_have_count(8)
    cells = {
        (r.locator("td").nth(1).inner_text(), r.locator("td").nth(2).inner_text())
        for r in rows.all()
    }
    assert cells == {
        ("契約", "A6"),  # R7-005's training does not cover every topic (§7, 実施項目)
        ("従事者", "H6"),
        ("従事者", "H10"),  # 松本 彩 trained after her own 従事開始日
        ("従事者", "H45"),
        ("再委託", "B2"),  # たまデータサポート's training: topics 7, 14〜16 missing
        ("再委託", "O3"),  # ひかりネット保守 has no deputy
        ("再委託", "S3"),
        ("廃棄", "K2"),
    }
    expect(page.locator("table.problems")).to_contain_text("研修受講日が空欄です")
    # Filterable: errors only → none; the 廃棄 sheet → its one warning.
    page.select_option("#severity", "error")
    page.get_by_role("button", name="絞り込む").click()
    expect(rows).to_have_count(0)
    page.select_option("#severity", "")
    page.select_option("#sheet", "廃棄")
    page.get_by_role("button", name="絞り込む").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("立会者")


def test_plan_filters_and_downloads_the_same_rows(page: Page) -> None:
    upload(page, SAMPLE, "/plan")
    page.select_option("#f-contract", "R7-001")
    page.select_option("#f-timing", "conclusion")
    page.get_by_role("button", name="絞り込む").click()
    expect(page.locator(".count")).to_contain_text("提出予定 4 件")
    expect(page.locator("table.schedule tbody tr")).to_have_count(4)
    expect(page.locator("table.schedule")).to_contain_text("令和7年3月25日")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "提出予定.csv"
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 5 and all(line.startswith("R7-001,") for line in lines[1:])


def test_generate_one_contract_and_unzip_the_layout(page: Page) -> None:
    """Progress while it works, then a ZIP in SPEC §5's layout whose PDFs open."""
    generate(page, "R7-001")
    expect(page.locator("#job")).to_contain_text("作成しています", timeout=10_000)
    shot(page, "3-while-generating")
    expect(page.locator("#job h2")).to_have_text("作成が終わりました", timeout=90_000)
    shot(page, "4-generated")
    expect(page.locator("#job")).to_contain_text("契約 1 件、様式 4 件、PDF 4 件、綴り 1 件")
    with page.expect_download() as info:
        page.locator("#zip").click()
    assert info.value.suggested_filename.startswith("様式一式_")
    with zipfile.ZipFile(info.value.path()) as zf:
        names = set(zf.namelist())
        folder = "様式一式/R7-001/①契約締結時_2025-03-25/"
        forms = [
            "様式第2号_委託業務従事者体制届出書",
            "様式第3号_教育・研修実施報告書",
            "様式第4号-①_重要情報の保護に関する報告書",
            "様式第5号-①_特定個人情報の保護に関する報告書",
        ]
        expected = {folder + f + ext for f in forms for ext in (".docx", ".pdf")}
        expected |= {folder + "R7-001_①契約締結時" + ext for ext in (".docx", ".pdf")}
        expected |= {"様式一式/提出予定一覧.xlsx", "様式一式/manifest.json"}
        assert names == expected
        manifest = json.loads(zf.read("様式一式/manifest.json"))
        assert {"様式一式/" + f["path"] for f in manifest["files"]} == expected - {
            "様式一式/提出予定一覧.xlsx",
            "様式一式/manifest.json",
        }
        bundle = PdfReader(io.BytesIO(zf.read(folder + "R7-001_①契約締結時.pdf")))
        text = "".join(p.extract_text() for p in bundle.pages)
        assert "委託業務従事者体制届出書" in text and "特定個人情報の保護に関する報告書" in text
        assert [o.title for o in bundle.outline][:1] == ["様式第2号 委託業務従事者体制届出書"]
    # One bundle alone, by its own link.
    with page.expect_download() as info:
        page.locator("ul.files a").first.click()
    assert info.value.suggested_filename == "R7-001_①契約締結時.pdf"
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")


def test_a_weak_password_is_refused_next_to_the_field_before_anything_is_made(
    page: Page, server: Server
) -> None:
    upload(page, SAMPLE)
    page.goto("/generate")
    page.fill("#f-from", "")
    page.fill("#f-to", "")
    page.locator("details.encrypt summary").click()
    page.check("input[name=encrypt]")
    page.fill("#account", "hino")
    page.fill("#password", "hinoshi1")
    page.fill("#password2", "hinoshi1")
    page.get_by_role("button", name="作成する").click()
    expect(page.locator(".error-summary")).to_contain_text("3 種類以上")
    expect(page.locator(".error-summary")).to_contain_text("アカウント名「hino」")
    shot(page, "6-error-weak-password")
    assert "/jobs/" not in page.url


def test_the_contractor_round_trip_shows_one_mistake_at_its_cell(
    page: Page, tmp_path: Path
) -> None:
    """Blank workbook → filled (with one wrong class) → uploaded → the mistake at 契約!K2."""
    page.goto("/contractor")
    with page.expect_download() as info:
        page.locator("#blank").click()
    blank = tmp_path / "入力ブック.xlsx"
    info.value.save_as(blank)
    assert "記入方法" in load_workbook(blank).sheetnames
    fixed = tmp_path / "記入済み.xlsx"
    fixed.write_bytes(blank.read_bytes())
    fill_example(blank, 契約={"機密性区分": 4})
    upload(page, blank, "/contractor")
    errors = page.locator("table.problems tbody tr.error")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(1)).to_have_text("契約")
    expect(errors.first.locator("td").nth(2)).to_have_text("K2")
    expect(page.locator("main")).to_contain_text("R7-001 の様式は作成できません")
    shot(page, "7-contractor-mistake")
    # Fixed, it shows which forms are due when, and previews them as PDF.
    fill_example(fixed)
    upload(page, fixed, "/contractor")
    expect(page.locator("table.problems")).to_have_count(0)
    expect(page.locator("table.schedule")).to_contain_text("様式第2号")
    page.get_by_role("button", name="様式のプレビュー（PDF）を作る").click()
    expect(page.locator("#job h2")).to_contain_text("作成が終わりました", timeout=90_000)
    link = page.locator("ul.files a").first
    expect(link).to_have_attribute("target", "_blank")
    response = page.request.get(link.get_attribute("href") or "")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")


def test_a_non_xlsx_and_an_oversize_upload_get_their_messages(page: Page, tmp_path: Path) -> None:
    memo = tmp_path / "メモ.txt"
    memo.write_text("契約の一覧ではありません", encoding="utf-8")
    upload(page, memo)
    expect(page.locator(".error-message")).to_have_text(
        "エラー:「メモ.txt」は Excel ブック（.xlsx）ではありません。"
        "Excel で開き「Excel ブック (*.xlsx)」形式で保存してから選んでください"
    )
    shot(page, "5-error-not-xlsx")
    big = tmp_path / "大きなブック.xlsx"
    big.write_bytes(b"PK" + bytes(2 * 1024 * 1024))
    upload(page, big)
    expect(page.locator("h1")).to_have_text("ファイルが大きすぎます")
    expect(page.locator(".panel")).to_contain_text("上限 1 MB")


def test_another_browser_session_gets_404_for_the_first_ones_download(
    page: Page, browser: Browser, server: Server
) -> None:
    job_url = generate(page, "R7-003")
    expect(page.locator("#job h2")).to_have_text("作成が終わりました", timeout=90_000)
    zip_url = job_url + "/zip"
    assert page.request.get(zip_url).status == 200
    other = browser.new_context(base_url=server.url, locale="ja-JP")
    try:
        stranger = other.new_page()
        response = stranger.goto(zip_url)
        assert response is not None and response.status == 404
        expect(stranger.locator("h1")).to_have_text("見つかりません")
        assert other.request.get(job_url).status == 404
        assert other.request.get(job_url + "/files/0").status == 404
    finally:
        other.close()


def test_an_expired_job_and_upload_are_gone(page: Page, server: Server) -> None:
    job_url = generate(page, "R7-003")
    expect(page.locator("#job h2")).to_have_text("作成が終わりました", timeout=90_000)
    store = server.app.state.store
    job = store.job(_session_owner(server, job_url), job_url.rsplit("/", 1)[1])
    folder = job.folder
    # An hour and a bit later (only this session's job and upload are aged).
    job.finished -= server.app.state.settings.expiry + 1
    job.upload.created -= server.app.state.settings.expiry + 1
    assert store.expire() >= 2
    assert not folder.exists()
    assert page.request.get(job_url + "/zip").status == 404
    page.goto("/plan")
    expect(page.locator("input[type=file]")).to_have_count(1)  # asked for a workbook again


def _session_owner(server: Server, job_url: str) -> str:
    """The owner of a job, looked up by its id (the test cannot read the signed cookie)."""
    job_id = job_url.rsplit("/", 1)[1]
    return str(server.app.state.store._jobs[job_id].owner)


def test_without_javascript_the_pages_are_plain_forms(browser: Browser, server: Server) -> None:
    """A locked-down office browser: uploading and filtering still work, as ordinary form posts."""
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/check")
        page.locator("input[type=file]").set_input_files(SAMPLE)
        page.get_by_role("button", name="読み込む").click()
        expect(page.locator(".panel h2")).to_have_text("エラー 0 件・警告 8 件")
        page.select_option("#sheet", "再委託")
        page.get_by_role("button", name="絞り込む").click()
        expect(page.locator("table.problems tbody tr")).to_have_count(3)
        assert "sheet=" in page.url
    finally:
        context.close()
