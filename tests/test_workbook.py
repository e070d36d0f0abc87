"""The reader and the consistency rules of SPEC §3, as a contractor's workbook would trigger them.

Every case writes a workbook with two contracts: the control ``T-001`` (one
trained staff member, nothing wrong) in 契約 row 2 and the subject ``T-BAD``
in row 3, with its rows on the other sheets after the control's. Each case
checks the problem's severity, sheet, cell and contract, and that the
control contract is untouched: no problems, still in the records, planned.
Headers are written in the schema's order, so the cell letters below are
what a user sees in Excel.
"""

from __future__ import annotations

import importlib.util
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hino_forms.errors import InputUnusable
from hino_forms.models import Records, Severity, Timing
from hino_forms.planning.training import training_status
from hino_forms.workbook import schema
from hino_forms.workbook.reader import read_workbook
from tests.builders import contract_row, staff, write_workbook
from tests.conftest import ROOT, SAMPLE

E, W = Severity.ERROR, Severity.WARNING
SUB = "有限会社架空サポート"
HEADERS = {s.name: list(s.headers) for s in schema.SHEETS}


def staff_row(**over: Any) -> dict[str, Any]:
    row = {
        "契約番号": "T-BAD",
        "氏名": "架空 四郎",
        "所属": "保守部",
        "役割": "保守担当",
        "重要情報取扱": "有",
        "特定個人情報取扱": "無",
        "研修受講日": date(2025, 3, 20),
    }
    return row | over


def sub_row(**over: Any) -> dict[str, Any]:
    row = {
        "契約番号": "T-BAD",
        "再委託先名称": SUB,
        "再委託先所在地": "東京都日野市架空町2-2-2",
        "機密性区分": 2,
        "特定個人情報": "無",
        "重要情報の保存": "無",
        "再委託先代行者氏名": "架空 八郎",
        "申請日": date(2025, 3, 26),
        "承認日": date(2025, 3, 28),
        "承認番号": "日架第1号",
    }
    return row | over


def training_row(**over: Any) -> dict[str, Any]:
    """A session before the start covering every topic of form 3: no training warning (§7)."""
    row = {
        "契約番号": "T-BAD",
        "研修名": "情報セキュリティ研修",
        "実施日": date(2025, 3, 20),
        "実施項目": "全項目",
    }
    return row | over


def disposal_row(**over: Any) -> dict[str, Any]:
    row = {
        "契約番号": "T-BAD",
        "資料名": "申請書控え",
        "区分": "紙",
        "媒体": "紙",
        "数量": "10枚",
        "方法": "廃棄",
        "具体的方法": "裁断",
        "実施日": date(2026, 3, 31),
        "実施者": "架空 四郎",
        "立会者": "日野 太郎",
    }
    return row | over


MY_NUMBER = {"特定個人情報": "有", "機密性区分": 3, "重要情報の保存": "有"}


def read(
    tmp_path: Path,
    bad: dict[str, Any] | None = None,
    *,
    extra_contracts: list[dict[str, Any]] = (),
    trained: bool = True,
    **sheets: list[dict[str, Any]],
) -> Records:
    """Control T-001 + subject T-BAD (with ``bad`` overrides) + rows for the other sheets.

    Every party gets a session before its start covering every topic, unless ``trained`` is
    False (then only the control and the subcontractors do).
    """
    book: dict[str, list[dict[str, Any]]] = {
        "契約": [contract_row(), contract_row(契約番号="T-BAD", **(bad or {})), *extra_contracts],
        "従事者": [staff_row(契約番号="T-001"), *sheets.pop("従事者", [])],
    }
    # Every party trained before its start on every topic, so a case shows only its own problem.
    owners = [("T-001", None), *([("T-BAD", None)] if trained else [])]
    owners += [(r.get("契約番号"), r.get("再委託先名称")) for r in sheets.get("再委託", [])]
    book["研修"] = [
        training_row(契約番号=cid, 再委託先名称=sub) for cid, sub in owners if cid
    ] + sheets.pop("研修", [])
    book.update(sheets)
    return read_workbook(write_workbook(tmp_path / "in.xlsx", book, headers=HEADERS))


def assert_control_untouched(records: Records) -> None:
    assert records.problems_of("T-001") == ()
    assert "T-001" in {c.contract_id for c in records.contracts}
    assert "T-001" not in records.failed_contract_ids


def the_problem(records: Records, severity: Severity, sheet: str, cell: str, cid: str) -> str:
    found = [
        p
        for p in records.problems
        if (p.severity, p.sheet, p.cell, p.contract_id) == (severity, sheet, cell, cid)
    ]
    assert found, f"no {severity.value} at {sheet}!{cell} for {cid}: {records.problems}"
    message = found[0].message
    assert message.startswith(f"{sheet}!{cell}: ") and cid in message
    return message


# One row per line of SPEC §3's consistency table (the fatal line is tested below).
CASES = [
    # a required cell is empty or unreadable; 契約番号 duplicated
    ("required cell empty", {"業務名": None}, {}, (E, "契約", "B3"), "空欄"),
    (
        "unreadable date",
        {"契約開始日": "2025/2/30"},
        {},
        (E, "契約", "H3"),
        "「契約開始日」を読めません: ",
    ),
    (
        "unreadable class",
        {"機密性区分": "4"},
        {},
        (E, "契約", "K3"),
        "「機密性区分」を読めません: 「4」は機密性区分として読めません（1・2・3 のいずれか）",
    ),
    (
        "unreadable flag",
        {"特定個人情報": "たぶん"},
        {},
        (E, "契約", "L3"),
        "「特定個人情報」を読めません: 「たぶん」は 有/無 で入力してください",
    ),
    # 契約終了日 < 契約開始日; 解除日 outside the period; 契約締結日 > 契約終了日
    (
        "end before start",
        {"契約終了日": date(2025, 3, 31)},
        {},
        (E, "契約", "I3"),
        "契約終了日（令和7年3月31日）が契約開始日（令和7年4月1日）より前です",
    ),
    (
        "termination after end",
        {"解除日": date(2026, 4, 1)},
        {},
        (E, "契約", "J3"),
        "解除日（令和8年4月1日）が契約期間（令和7年4月1日〜令和8年3月31日）の外です",
    ),
    (
        "termination before start",
        {"解除日": "R7.3.31"},
        {},
        (E, "契約", "J3"),
        "解除日（令和7年3月31日）が契約期間（令和7年4月1日〜令和8年3月31日）の外です",
    ),
    (
        "concluded after end",
        {"契約締結日": date(2026, 4, 1)},
        {},
        (E, "契約", "G3"),
        "契約締結日（令和8年4月1日）が契約終了日より後です",
    ),
    # 契約締結日 > 契約開始日: forms 2 and 3 are due before the work (§6(2), §7)
    (
        "concluded after start",
        {"契約締結日": date(2025, 4, 2)},
        {},
        (W, "契約", "G3"),
        "契約締結日（令和7年4月2日）が契約開始日（令和7年4月1日）より後です",
    ),
    # 特定個人情報 = 有 but 機密性区分 < 3 (§1)
    (
        "my number below class 3",
        {"特定個人情報": "有", "機密性区分": 2},
        {},
        (E, "契約", "K3"),
        "特定個人情報が「有」ですが機密性区分が2です",
    ),
    # 重要情報の保存 = 有 but 機密性区分 = 1
    (
        "storing class 1",
        {"重要情報の保存": "有", "機密性区分": 1},
        {},
        (E, "契約", "M3"),
        "重要情報の保存",
    ),
    # 再委託 = 有 with no 再委託 row, or 無 with one
    (
        "subcontracting without rows",
        {"再委託": "有"},
        {},
        (E, "契約", "N3"),
        "再委託シートに再委託先の行がありません",
    ),
    (
        "rows without subcontracting",
        {},
        {"再委託": [sub_row()]},
        (E, "契約", "N3"),
        "再委託を「有」にするか",
    ),
    # a subcontractor's class or My Number flag exceeds its contract's; its period outside the contract's
    (
        "sub class above contract",
        {"再委託": "有"},
        {"再委託": [sub_row(機密性区分=3)]},
        (E, "再委託", "I2"),
        f"再委託先「{SUB}」の機密性区分（3）が契約の機密性区分（2）を超えて",
    ),
    (
        "sub my number, contract none",
        {"再委託": "有", "機密性区分": 3},
        {"再委託": [sub_row(機密性区分=3, 特定個人情報="有")]},
        (E, "再委託", "J2"),
        "特定個人情報",
    ),
    (
        "sub starts before contract",
        {"再委託": "有"},
        {
            "再委託": [
                sub_row(
                    再委託開始日=date(2025, 3, 1),
                    承認日=date(2025, 2, 28),
                    申請日=date(2025, 2, 20),
                )
            ]
        },
        (E, "再委託", "G2"),
        "再委託開始日（令和7年3月1日）が契約期間（令和7年4月1日〜令和8年3月31日）の外です",
    ),
    (
        "sub ends after contract",
        {"再委託": "有"},
        {"再委託": [sub_row(再委託終了日=date(2026, 4, 30))]},
        (E, "再委託", "H2"),
        "再委託終了日（令和8年4月30日）が契約期間（令和7年4月1日〜令和8年3月31日）の外です",
    ),
    # 申請日 > 承認日
    (
        "applied after approved",
        {"再委託": "有"},
        {"再委託": [sub_row(申請日=date(2025, 3, 29))]},
        (E, "再委託", "R2"),
        "申請日（令和7年3月29日）が承認日（令和7年3月28日）より後です",
    ),
    # 承認日 missing, or later than 再委託開始日 (§12(1))
    (
        "approval missing",
        {"再委託": "有"},
        {"再委託": [sub_row(承認日=None)]},
        (W, "再委託", "S2"),
        "§12(1)",
    ),
    (
        "approval after sub start (default = contract start)",
        {"再委託": "有"},
        {"再委託": [sub_row(承認日=date(2025, 4, 2))]},
        (W, "再委託", "S2"),
        "契約開始日（令和7年4月1日。再委託開始日が空欄のため）",
    ),
    # staff: important info in a class-1 contract or subcontractor; My Number where none; MN without important
    (
        "staff important, class 1 contract",
        {"機密性区分": 1},
        {"従事者": [staff_row()]},
        (E, "従事者", "F3"),
        "機密性区分が1",
    ),
    (
        "staff important, class 1 subcontractor",
        {"再委託": "有"},
        {"再委託": [sub_row(機密性区分=1)], "従事者": [staff_row(再委託先名称=SUB)]},
        (E, "従事者", "F3"),
        f"再委託先「{SUB}」の機密性区分が1",
    ),
    (
        "staff my number, contract none",
        {},
        {"従事者": [staff_row(特定個人情報取扱="有")]},
        (E, "従事者", "G3"),
        "様式第5号",
    ),
    (
        "staff my number, subcontractor none",
        MY_NUMBER | {"再委託": "有"},
        {
            "再委託": [sub_row(機密性区分=3)],
            "従事者": [staff_row(再委託先名称=SUB, 特定個人情報取扱="有")],
        },
        (E, "従事者", "G3"),
        f"再委託先「{SUB}」の特定個人情報",
    ),
    (
        "staff my number without important",
        MY_NUMBER,
        {"従事者": [staff_row(重要情報取扱="無", 特定個人情報取扱="有")]},
        (E, "従事者", "F3"),
        "§1",
    ),
    # a row on another sheet names an unknown 再委託先名称 (unknown 契約番号: own test below)
    (
        "staff of unknown subcontractor",
        {},
        {"従事者": [staff_row(再委託先名称="株式会社存在しない")]},
        (E, "従事者", "B3"),
        "株式会社存在しない",
    ),
    (
        "disposal of unknown subcontractor",
        {"重要情報の保存": "有"},
        {"廃棄": [disposal_row(再委託先名称="株式会社存在しない")]},
        (E, "廃棄", "B2"),
        "再委託シートにありません",
    ),
    # 廃棄 rows exist but no form 1 is planned (class 1, or 重要情報の保存 = 無)
    (
        "disposal without storing",
        {},
        {"廃棄": [disposal_row()]},
        (W, "廃棄", "A2"),
        "様式第1号は作られません",
    ),
    (
        "disposal in class 1",
        {"機密性区分": 1},
        {"廃棄": [disposal_row()]},
        (W, "廃棄", "A2"),
        "機密性区分が1",
    ),
    # My Number contract, 消去 or 廃棄 without 立会者 (§10(3), §4 note)
    (
        "my number disposal without witness",
        MY_NUMBER,
        {"廃棄": [disposal_row(立会者=None)]},
        (W, "廃棄", "K2"),
        "立会",
    ),
    (
        "my number erasure without witness",
        MY_NUMBER,
        {"廃棄": [disposal_row(立会者=None, 方法="消去", 区分="電子", 媒体="HDD")]},
        (W, "廃棄", "K2"),
        "消去",
    ),
    # USB memory in any contract (§10(1)①); any portable medium with My Number (§10(2))
    (
        "usb memory",
        {"重要情報の保存": "有"},
        {"廃棄": [disposal_row(区分="電子", 媒体="USBメモリ", 方法="消去")]},
        (W, "廃棄", "E2"),
        "§10(1)①",
    ),
    (
        "portable medium, my number",
        MY_NUMBER,
        {"廃棄": [disposal_row(区分="電子", 媒体="ＤＶＤ－Ｒ")]},
        (W, "廃棄", "E2"),
        "「申請書控え」の媒体（ＤＶＤ－Ｒ）は可搬記録媒体です",
    ),
    # 研修受講日 missing, more than one year before 契約開始日, or after it (§7)
    (
        "training missing",
        {},
        {"従事者": [staff_row(研修受講日=None)]},
        (W, "従事者", "H3"),
        "従事者「架空 四郎」: 研修受講日が空欄です",
    ),
    (
        "training over a year before",
        {},
        {"従事者": [staff_row(研修受講日=date(2024, 3, 31))]},
        (W, "従事者", "H3"),
        "研修受講日（令和6年3月31日）が従事開始日（令和7年4月1日）の1年より前です",
    ),
    (
        "training after start",
        {},
        {"従事者": [staff_row(研修受講日=date(2025, 4, 2))]},
        (W, "従事者", "H3"),
        "研修受講日（令和7年4月2日）が従事開始日（令和7年4月1日）より後です",
    ),
    # ... counted from the person's own 従事開始日 when they join later (§7)
    (
        "training after a later joiner's start",
        {},
        {"従事者": [staff_row(従事開始日=date(2025, 10, 1), 研修受講日=date(2025, 10, 2))]},
        (W, "従事者", "H3"),
        "研修受講日（令和7年10月2日）が従事開始日（令和7年10月1日）より後です",
    ),
    # 従事終了日 < 従事開始日, or either outside the party's period (SPEC v2 §3)
    (
        "staff leaves before joining",
        {},
        {"従事者": [staff_row(従事開始日=date(2025, 10, 1), 従事終了日=date(2025, 9, 30))]},
        (E, "従事者", "J3"),
        "従事終了日（令和7年9月30日）が従事開始日（令和7年10月1日）より前です",
    ),
    (
        "staff joins before the contract starts",
        {},
        {"従事者": [staff_row(従事開始日=date(2025, 3, 1))]},
        (E, "従事者", "I3"),
        "従事開始日（令和7年3月1日）が契約の期間（令和7年4月1日〜令和8年3月31日）の外です",
    ),
    (
        "staff leaves after the termination",
        {"解除日": date(2025, 12, 31)},
        {"従事者": [staff_row(従事終了日=date(2026, 1, 31))]},
        (E, "従事者", "J3"),
        "従事終了日（令和8年1月31日）が契約の期間（令和7年4月1日〜令和7年12月31日）の外です",
    ),
    (
        "subcontractor's staff outside the subcontract",
        {"再委託": "有"},
        {
            "再委託": [sub_row(再委託開始日=date(2025, 10, 1))],
            "従事者": [
                staff_row(
                    再委託先名称=SUB, 研修受講日=date(2025, 9, 1), 従事開始日=date(2025, 9, 1)
                )
            ],
        },
        (E, "従事者", "I3"),
        f"再委託先「{SUB}」の期間（令和7年10月1日〜令和8年3月31日）の外です",
    ),
    # a 研修 row with a blank or unreadable 実施日: a warning there, the row counts as no session
    (
        "training session without a date",
        {},
        {"研修": [training_row(研修名="追加研修", 実施日=None)]},
        (W, "研修", "D4"),
        "研修「追加研修」の実施日が空欄です",
    ),
    (
        "training session on a day that does not exist",
        {},
        {"研修": [training_row(研修名="追加研修", 実施日="2025/2/30")]},
        (W, "研修", "D4"),
        "存在しない日付です。この研修は実施日が分からないため、様式第3号に記載されません。",
    ),
    # an unreadable or out-of-range 実施項目: a warning, the session's topics not stated
    (
        "training topics out of range",
        {},
        {"研修": [training_row(研修名="追加研修", 実施項目="1-99")]},
        (W, "研修", "H4"),
        "実施項目「1-99」を読めません",
    ),
    # a subcontractor without 再委託先代行者氏名 (§6(1) through §12(2))
    (
        "subcontractor without deputy",
        {"再委託": "有"},
        {"再委託": [sub_row(再委託先代行者氏名=None)]},
        (W, "再委託", "O2"),
        "代行者（再委託先代行者氏名）が空欄です",
    ),
    # a year before 2000 or after 2100 in any date: an error at that cell, even where a
    # blank or unreadable date would only be a warning
    (
        "a year after 2100",
        {"契約終了日": "2205/3/31"},
        {},
        (E, "契約", "I3"),
        "2205年は2000年〜2100年の範囲外です",
    ),
    (
        "a year before 2000 as a bare Excel serial",
        {"契約開始日": 32874},  # 1990-01-01
        {},
        (E, "契約", "H3"),
        "1990年は2000年〜2100年の範囲外です",
    ),
    (
        "a year before 2000 on a training date",
        {},
        {"研修": [training_row(研修名="追加研修", 実施日="1925/3/20")]},
        (E, "研修", "D4"),
        "1925年は2000年〜2100年の範囲外です",
    ),
]


@pytest.mark.parametrize(
    ("bad", "sheets", "where", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_consistency_rule(
    tmp_path: Path,
    bad: dict[str, Any],
    sheets: dict[str, Any],
    where: tuple[Severity, str, str],
    says: str,
) -> None:
    records = read(tmp_path, bad, **{k: list(v) for k, v in sheets.items()})
    severity, sheet, cell = where
    assert says in the_problem(records, severity, sheet, cell, "T-BAD")
    assert ("T-BAD" in records.failed_contract_ids) is (severity is E)
    assert_control_untouched(records)


def training_warning(records: Records, sheet: str, cell: str) -> str:
    return the_problem(records, W, sheet, cell, "T-BAD")


def test_a_party_without_training_before_its_start_is_warned_at_its_row(tmp_path: Path) -> None:
    # §7: training before the work. A later session (for people who join later) does not count.
    records = read(
        tmp_path,
        trained=False,
        研修=[training_row(実施日=date(2025, 5, 1))],
    )
    message = training_warning(records, "契約", "A3")
    assert (
        "業務開始日（令和7年4月1日）までに実施した研修がありません（それより後の研修のみ）"
        in message
    )
    assert "T-BAD" not in records.failed_contract_ids
    assert_control_untouched(records)


def test_a_subcontractor_without_training_is_warned_at_its_name(tmp_path: Path) -> None:
    book = read(tmp_path, {"再委託": "有"}, 再委託=[sub_row()])
    assert book.problems_of("T-BAD") == ()  # read() trains every party
    records = read(
        tmp_path,
        {"再委託": "有"},
        再委託=[sub_row()],
        研修=[training_row(再委託先名称=SUB, 実施日=None, 研修名="日付なし研修")],
    )
    # The default session is there too; the undated one is only a warning at its own cell.
    training_warning(records, "研修", "D5")
    records = read_workbook(
        write_workbook(
            tmp_path / "untrained.xlsx",
            {
                "契約": [contract_row(契約番号="T-BAD", 再委託="有")],
                "再委託": [sub_row()],
                "研修": [training_row()],
            },
            headers=HEADERS,
        )
    )
    message = training_warning(records, "再委託", "B2")
    assert (
        f"再委託先「{SUB}」には業務開始日（令和7年4月1日）までに実施した研修がありません" in message
    )


def test_training_that_does_not_cover_every_topic_names_the_missing_ones(tmp_path: Path) -> None:
    # 13 (system development) and 14 (subcontracting) are not required of this contract.
    records = read(
        tmp_path,
        trained=False,
        研修=[
            training_row(実施項目="1-3"),
            training_row(研修名="追加研修", 実施日=date(2025, 3, 27), 実施項目="5,6,8-12,15"),
            training_row(研修名="後日研修", 実施日=date(2025, 4, 2), 実施項目="全項目"),
        ],
    )
    message = training_warning(records, "契約", "A3")
    assert "様式第3号の研修項目のうち4、7、16を実施していません" in message
    # A system development needs topic 13 too; blank 実施項目 covers nothing.
    records = read(
        tmp_path,
        {"システム開発": "有"},
        trained=False,
        研修=[training_row(実施項目="1-12,14-16"), training_row(研修名="補講", 実施項目=None)],
    )
    assert "のうち13を実施していません" in training_warning(records, "契約", "A3")


def test_unreadable_contract_row_is_left_out_without_breaking_its_rows(tmp_path: Path) -> None:
    records = read(tmp_path, {"契約開始日": "らいねん"}, 従事者=[staff_row()])
    the_problem(records, E, "契約", "H3", "T-BAD")
    assert [c.contract_id for c in records.contracts] == ["T-001"]
    assert "T-BAD" in records.failed_contract_ids
    # Its staff row is neither reported as an unknown contract nor left dangling in the records.
    assert [p.cell for p in records.problems] == ["H3"]
    assert all(m.contract_id == "T-001" for m in records.staff)
    assert_control_untouched(records)


def test_duplicate_contract_id_is_an_error_on_the_second_row(tmp_path: Path) -> None:
    records = read(tmp_path, extra_contracts=[contract_row(契約番号="T-BAD", 業務名="二重登録")])
    assert "契約番号がほかの行と重複しています（3行目と重複）" in the_problem(
        records, E, "契約", "A4", "T-BAD"
    )
    assert [c.work_name for c in records.contracts if c.contract_id == "T-BAD"] == [
        "架空システム保守業務委託"
    ]
    assert "T-BAD" in records.failed_contract_ids
    assert_control_untouched(records)


@pytest.mark.parametrize("sheet", ["従事者", "研修", "廃棄", "報告"])
def test_row_naming_an_unknown_contract(tmp_path: Path, sheet: str) -> None:
    row = {"従事者": staff_row, "廃棄": disposal_row}.get(sheet, lambda **o: o)(契約番号="T-NONE")
    row.update(
        {"研修": {"研修名": "研修"}, "報告": {"様式": 4, "時期": "①", "項目番号": 1}}.get(sheet, {})
    )
    records = read(tmp_path, **{sheet: [row]})
    first = {"従事者": 3, "研修": 4}.get(
        sheet, 2
    )  # after the control's (and, on 研修, T-BAD's) rows
    assert "契約シートにありません" in the_problem(records, E, sheet, f"A{first}", "T-NONE")
    assert records.problems_of("T-BAD") == ()
    assert_control_untouched(records)


def test_subcontractor_staff_training_counts_from_the_subcontract_start(tmp_path: Path) -> None:
    # Trained after the contract began but before this subcontractor's work began: §7 is met.
    records = read(
        tmp_path,
        {"再委託": "有"},
        再委託=[sub_row(再委託開始日=date(2025, 10, 1))],
        従事者=[staff_row(再委託先名称=SUB, 研修受講日=date(2025, 9, 1))],
    )
    assert records.problems == ()
    (member,) = records.staff_of("T-BAD", SUB)
    assert member.trained_on == date(2025, 9, 1)


def test_a_clean_subcontracted_contract_reads_every_sheet(tmp_path: Path) -> None:
    records = read(
        tmp_path,
        MY_NUMBER | {"再委託": "有"},
        再委託=[sub_row(再委託開始日="R7.5.1")],
        従事者=[staff_row(特定個人情報取扱="有"), staff_row(再委託先名称=SUB, 氏名="下請 三郎")],
        研修=[{"契約番号": "T-BAD", "研修名": "情報セキュリティ研修", "実施日": "令和7年3月20日"}],
        廃棄=[disposal_row(数量=120)],
        報告=[
            {
                "契約番号": "T-BAD",
                "様式": 5,
                "時期": "②",
                "年度": "令和8年度",
                "項目番号": "３",
                "回答": "はい",
            }
        ],
    )
    assert records.problems == ()
    (sub,) = records.subcontractors_of("T-BAD")
    assert (sub.name, sub.start, sub.end, sub.approved) == (
        SUB,
        date(2025, 5, 1),
        None,
        date(2025, 3, 28),
    )
    assert [m.name for m in records.staff_of("T-BAD", SUB)] == ["下請 三郎"]
    assert records.trainings_of("T-BAD")[0].held_on == date(2025, 3, 20)
    assert records.disposals_of("T-BAD")[0].quantity == "120"
    (answer,) = records.answers_of("T-BAD")
    assert (answer.form, answer.timing, answer.fiscal_year, answer.item_no) == (
        5,
        Timing.FISCAL_YEAR,
        2026,
        "3",
    )


def test_fiscal_year_answer_needs_its_year(tmp_path: Path) -> None:
    records = read(
        tmp_path, 報告=[{"契約番号": "T-BAD", "様式": "4", "時期": "②", "項目番号": "1"}]
    )
    assert "年度" in the_problem(records, E, "報告", "E2", "T-BAD")
    assert records.answers == ()
    assert_control_untouched(records)


# ---------------------------------------------------------------- fatal: the workbook cannot be used


def test_missing_contract_sheet_is_fatal(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {"従事者": [staff_row()]})
    with pytest.raises(InputUnusable, match="「契約」シートがありません"):
        read_workbook(path)


def test_missing_required_contract_column_is_fatal(tmp_path: Path) -> None:
    headers = {"契約": [h for h in HEADERS["契約"] if h != "契約終了日"]}
    path = write_workbook(tmp_path / "in.xlsx", {"契約": [contract_row()]}, headers=headers)
    with pytest.raises(InputUnusable, match="契約終了日") as err:
        read_workbook(path)
    assert "\n" not in str(err.value)


def test_text_file_named_xlsx_is_fatal(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    path.write_text("契約番号,業務名\nT-001,架空\n", encoding="utf-8")
    with pytest.raises(InputUnusable, match="Excel ブック"):
        read_workbook(path)


def test_damaged_sheet_xml_is_fatal(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            cut = info.filename == "xl/worksheets/sheet2.xml"
            dst.writestr(info, body[: len(body) // 2] if cut else body)
    with pytest.raises(InputUnusable, match="読み取れません"):
        read_workbook(damaged)


def test_missing_file_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(InputUnusable, match="見つかりません"):
        read_workbook(tmp_path / "none.xlsx")


def test_staff_sheet_without_contract_column_is_fatal(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "in.xlsx", {"契約": [contract_row()], "従事者": [{"氏名": "架空 四郎"}]}
    )
    with pytest.raises(InputUnusable, match="従事者.*契約番号"):
        read_workbook(path)


def test_other_sheet_missing_a_required_column_fails_only_the_contracts_on_it(
    tmp_path: Path,
) -> None:
    path = write_workbook(
        tmp_path / "in.xlsx",
        {
            # Class 1: no form 3 is owed, so no training warning for the control.
            "契約": [contract_row(機密性区分=1), contract_row(契約番号="T-BAD", 機密性区分=1)],
            "研修": [{"契約番号": "T-BAD", "実施日": date(2025, 3, 20)}],  # 研修名 column missing
        },
    )
    records = read_workbook(path)
    (problem,) = records.problems
    assert (problem.severity, problem.sheet, problem.contract_id) == (E, "研修", "T-BAD")
    assert "研修名" in problem.message
    assert records.failed_contract_ids == {"T-BAD"}


# ---------------------------------------------------------------- cells and headers


@pytest.mark.parametrize(
    "value",
    ["有", "あり", "はい", "○", "〇", "yes", "YES", "Ｙｅｓ", "true", "TRUE", True, 1, "１"],
)
def test_flag_true_variants(tmp_path: Path, value: Any) -> None:
    records = read(tmp_path, {"重要情報の保存": value})
    assert records.contract("T-BAD").stores_important is True
    assert records.problems == ()


@pytest.mark.parametrize(
    "value", ["無", "なし", "いいえ", "×", "✕", "no", "No", "ＮＯ", "false", False, 0]
)
def test_flag_false_variants(tmp_path: Path, value: Any) -> None:
    records = read(tmp_path, {"重要情報の保存": value})
    assert records.contract("T-BAD").stores_important is False
    assert records.problems == ()


def test_system_development_blank_means_no(tmp_path: Path) -> None:
    records = read(tmp_path, {"システム開発": None})
    assert records.contract("T-BAD").system_development is False
    assert records.problems == ()


@pytest.mark.parametrize("value", [3, 3.0, "3", "３", " 3 ", "機密性３"])
def test_class_as_number_or_text(tmp_path: Path, value: Any) -> None:
    assert read(tmp_path, {"機密性区分": value}).contract("T-BAD").confidentiality == 3


def test_headers_are_trimmed_of_half_and_full_width_spaces(tmp_path: Path) -> None:
    spaced = {
        "契約": [f"\u3000{h} " if i % 2 else f" {h}\u3000" for i, h in enumerate(HEADERS["契約"])]
    }
    wb_rows = [[contract_row(機密性区分=1)[h] for h in HEADERS["契約"]]]  # class 1: no form 3
    path = tmp_path / "in.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "契約"
    ws.append(spaced["契約"])
    for r in wb_rows:
        ws.append(r)
    wb.save(path)
    records = read_workbook(path)
    assert records.problems == ()
    assert records.contract("T-001").end == date(2026, 3, 31)


def test_unknown_column_is_a_warning_naming_its_header_cell(tmp_path: Path) -> None:
    headers = {"契約": [*HEADERS["契約"], "備考欄"]}
    path = write_workbook(
        tmp_path / "in.xlsx", {"契約": [contract_row(備考欄="メモ", 機密性区分=1)]}, headers=headers
    )
    records = read_workbook(path)
    (problem,) = records.problems
    assert (problem.severity, problem.sheet, problem.cell) == (
        W,
        "契約",
        "Y1",
    )  # after the 25 known columns
    assert problem.message.startswith("契約!Y1: 列「備考欄」は使わないため無視します。")
    assert records.failed_contract_ids == frozenset()


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    blank = {h: None for h in HEADERS["契約"]}
    spaces = {h: "\u3000" for h in HEADERS["契約"]}
    records = read(
        tmp_path, extra_contracts=[blank, spaces, contract_row(契約番号="T-003", 業務名=None)]
    )
    assert [c.contract_id for c in records.contracts] == ["T-001", "T-BAD"]
    the_problem(records, E, "契約", "B6", "T-003")


def test_instruction_sheets_are_ignored_and_unknown_sheets_warned(tmp_path: Path) -> None:
    records = read(
        tmp_path,
        記入方法=[{"説明": "この表に記入"}],
        記入例=[{"契約番号": "R7-999"}],
        メモ=[{"a": 1}],
    )
    (problem,) = records.problems
    assert (problem.severity, problem.sheet, problem.contract_id) == (W, "メモ", None)
    assert problem.message == "メモ: シート「メモ」は使わないため読み飛ばします。"
    assert [c.contract_id for c in records.contracts] == ["T-001", "T-BAD"]


def test_excel_dates_and_text_dates_read_alike(tmp_path: Path) -> None:
    records = read(
        tmp_path,
        {
            "契約締結日": "令和7年3月25日",
            "契約開始日": "R7.4.1",
            "契約終了日": "２０２６／３／３１",
        },
    )
    bad = records.contract("T-BAD")
    good = records.contract("T-001")
    assert (bad.concluded, bad.start, bad.end) == (good.concluded, good.start, good.end)


def test_date_cell_with_a_lost_date_format_reads_as_excel_serial(tmp_path: Path) -> None:
    assert read(tmp_path, {"解除日": 46022}).contract("T-BAD").terminated == date(2025, 12, 31)


# ---------------------------------------------------------------- training_status (form 3 reuses it)


@pytest.mark.parametrize(
    ("trained_on", "trained"),
    [
        (date(2024, 4, 1), True),  # exactly one year before: within the year of §7
        (date(2025, 4, 1), True),  # on the first day
        (date(2024, 3, 31), False),
        (date(2025, 4, 2), False),
        (None, False),
    ],
)
def test_training_status(trained_on: date | None, trained: bool) -> None:
    status = training_status(staff(trained_on=trained_on), date(2025, 4, 1))
    assert status.trained is trained
    assert status.label == ("受講済" if trained else "未受講")
    assert bool(status.reason) is not trained


# ---------------------------------------------------------------- the sample


def test_sample_workbook_is_what_its_script_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_sample", ROOT / "data" / "make_sample.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.build() == SAMPLE.read_bytes(), "run: python data/make_sample.py"


def test_sample_has_no_errors_and_covers_every_kind_of_contract() -> None:
    records = read_workbook(SAMPLE)
    assert not records.has_errors
    cs = records.contracts
    assert len(cs) >= 8
    assert {c.confidentiality for c in cs} == {1, 2, 3}
    assert any(c.my_number for c in cs) and any(c.stores_important for c in cs)
    assert any(c.terminated for c in cs) and any(
        c.system_development and c.confidentiality == 1 for c in cs
    )
    assert any(
        c.start < date(c.start.year + 1, 4, 1) < date(c.start.year + 2, 4, 1) <= c.end for c in cs
    )
    assert {s.approved is None for s in records.subcontractors} == {True, False}
    assert all(3 <= len(records.staff_of(c.contract_id)) <= 8 for c in cs)
    warned = {(p.sheet, p.cell) for p in records.problems}
    assert ("廃棄", "K2") in warned  # My Number paper 廃棄 without 立会者
    assert any(p.sheet == "従事者" and "未受講" in p.message for p in records.problems)


# ---------------------------------------------------------------- robustness

JUNK = [
    None,
    "",
    "\u3000",
    "有",
    "無",
    "x",
    0,
    1,
    2,
    3,
    4,
    -1,
    2.5,
    True,
    date(2025, 4, 1),
    "R7.4.1",
    "令和元年4月1日",
    "2025/2/30",
    "①",
    "②",
    "USBメモリ",
    "{{ x }}",
    "<&>",
    "T-001",
    "T-BAD",
    SUB,
    45748,
    "#N/A",
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_cell_values_give_records_and_problems_never_a_crash(
    tmp_path: Path, data: st.DataObject
) -> None:
    cell = st.sampled_from(JUNK)
    book = {
        s.name: data.draw(st.lists(st.fixed_dictionaries({h: cell for h in s.headers}), max_size=3))
        for s in schema.SHEETS
    }
    book["契約"].append(contract_row())
    records = read_workbook(write_workbook(tmp_path / "junk.xlsx", book, headers=HEADERS))
    ids = {c.contract_id for c in records.contracts}
    subs = {(s.contract_id, s.name) for s in records.subcontractors}
    for r in (*records.staff, *records.trainings, *records.disposals, *records.answers):
        assert r.contract_id in ids and (
            not r.subcontractor or (r.contract_id, r.subcontractor) in subs
        )
    for p in records.problems:
        assert p.message.startswith(f"{p.sheet}!") or p.message.startswith(f"{p.sheet}:")


# -- messages say what is true (issue 13 item 17): the dates typed, the period each check used


def messages_at(records: Records, sheet: str, cid: str = "T-BAD") -> list[str]:
    return [p.message for p in records.problems if p.sheet == sheet and p.contract_id == cid]


def test_a_subcontract_starting_after_the_termination_quotes_the_period_up_to_the_termination(
    tmp_path: Path,
) -> None:
    records = read(
        tmp_path,
        {"再委託": "有", "解除日": date(2025, 12, 31)},
        再委託=[sub_row(再委託開始日=date(2026, 1, 15))],
    )
    message = the_problem(records, E, "再委託", "G2", "T-BAD")
    assert "再委託開始日（令和8年1月15日）" in message
    assert "解除日までの契約期間（令和7年4月1日〜令和7年12月31日）の外です" in message
    assert "令和8年3月31日" not in message  # the original end is not what the check used


def test_a_subcontract_ending_after_the_contract_quotes_the_agreed_period(tmp_path: Path) -> None:
    # The end is checked against 契約終了日 (a subcontract may run past a 解除日; it is cut there).
    records = read(
        tmp_path,
        {"再委託": "有", "解除日": date(2025, 12, 31)},
        再委託=[sub_row(再委託終了日=date(2026, 4, 30))],
    )
    message = the_problem(records, E, "再委託", "H2", "T-BAD")
    assert "再委託終了日（令和8年4月30日）が契約期間（令和7年4月1日〜令和8年3月31日）の外です" in (
        message
    )


def test_dates_the_user_left_blank_are_never_quoted_as_typed(tmp_path: Path) -> None:
    # 再委託開始日 after the contract, 再委託終了日 blank: one message, about the start only.
    records = read(
        tmp_path,
        {"再委託": "有"},
        再委託=[sub_row(再委託開始日=date(2026, 5, 1), 承認日=date(2025, 3, 28))],
    )
    (message,) = messages_at(records, "再委託")
    assert "再委託開始日（令和8年5月1日）が契約期間（令和7年4月1日〜令和8年3月31日）の外です" in (
        message
    )
    assert "再委託終了日" not in message

    # 再委託終了日 before the contract, 再委託開始日 blank: the end is outside the period,
    # not "before a 再委託開始日" the user never typed.
    records = read(tmp_path, {"再委託": "有"}, 再委託=[sub_row(再委託終了日=date(2025, 3, 1))])
    (message,) = messages_at(records, "再委託")
    assert message.startswith("再委託!H2: ")
    assert "再委託終了日（令和7年3月1日）が契約期間（令和7年4月1日〜令和8年3月31日）の外です" in (
        message
    )
    assert "再委託開始日（" not in message


def test_an_unreadable_date_is_not_also_called_blank(tmp_path: Path) -> None:
    records = read(
        tmp_path,
        {"再委託": "有"},
        再委託=[sub_row(承認日="2025/2/30")],
        従事者=[staff_row(研修受講日="あした")],
    )
    (approval,) = messages_at(records, "再委託")
    assert approval.startswith("再委託!S2: ") and "承認日」を読めません" in approval
    (training,) = messages_at(records, "従事者")
    assert training.startswith("従事者!H3: ") and "研修受講日」を読めません" in training
    assert not any(
        "空欄" in m for m in messages_at(records, "再委託") + messages_at(records, "従事者")
    )


@pytest.mark.parametrize(("rows", "where"), [(1, "（2行目）"), (2, "（2行目ほか）")])
def test_hoka_only_when_there_are_other_rows(tmp_path: Path, rows: int, where: str) -> None:
    subs = [sub_row(再委託先名称=f"架空下請{i}") for i in range(rows)]
    records = read(tmp_path, {"再委託": "無"}, 再委託=subs)
    message = the_problem(records, E, "契約", "N3", "T-BAD")
    assert f"再委託が「無」ですが、再委託シート{where}に再委託先があります" in message


def test_a_header_given_twice_names_the_column_kept(tmp_path: Path) -> None:
    headers = {"契約": [*HEADERS["契約"], "業務名"]}
    path = write_workbook(
        tmp_path / "in.xlsx", {"契約": [contract_row(機密性区分=1)]}, headers=headers
    )
    (problem,) = read_workbook(path).problems
    assert problem.message == (
        "契約!Y1: 列「業務名」が2つあります。左の列（B列）を使い、この列は無視します。"
    )


def test_a_subcontractor_listed_twice_names_the_first_row(tmp_path: Path) -> None:
    records = read(tmp_path, {"再委託": "有"}, 再委託=[sub_row(), sub_row(再委託先所在地="別住所")])
    message = the_problem(records, E, "再委託", "B3", "T-BAD")
    assert f"再委託先「{SUB}」が2行目と重複しています。1社1行にしてください。" in message
