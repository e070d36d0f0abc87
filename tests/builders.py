"""Fictional test data (rules §11): records and workbooks built in code.

``contract()`` and friends return records with sensible defaults so a test
states only what it is about; ``write_workbook`` turns rows of dicts into an
.xlsx the reader accepts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from hino_forms.models import (
    Contract,
    Disposal,
    Person,
    StaffMember,
    Subcontractor,
    Training,
)


def contract(**overrides: Any) -> Contract:
    """A single-year class-2 contract of a fictional company; override what the test is about."""
    values: dict[str, Any] = dict(
        contract_id="T-001",
        work_name="架空システム保守業務委託",
        department="情報政策課",
        contractor_name="株式会社テスト架空データ",
        contractor_address="東京都日野市架空町1-1-1",
        representative="代表取締役 架空 太郎",
        concluded=date(2025, 3, 25),
        start=date(2025, 4, 1),
        end=date(2026, 3, 31),
        terminated=None,
        confidentiality=2,
        my_number=False,
        stores_important=False,
        subcontracting=False,
        system_development=False,
        officer=Person("試験 一郎", "部長", "042-000-0000"),
        deputy=Person("試験 二郎", "課長", "042-000-0001"),
        workplace="日野市役所 架空庁舎",
        row=2,
    )
    values.update(overrides)
    return Contract(**values)


def subcontractor(**overrides: Any) -> Subcontractor:
    values: dict[str, Any] = dict(
        contract_id="T-001",
        name="有限会社架空サポート",
        address="東京都日野市架空町2-2-2",
        representative="代表取締役 下請 花子",
        work="データ入力",
        reason="繁忙期の補助",
        confidentiality=2,
        officer_name="下請 三郎",
        officer_title="入力課長",
        officer_contact="042-000-0201",
        deputy_name="下請 四郎",
        deputy_title="入力係長",
        deputy_contact="042-000-0202",
        # Applied the day after 契約締結日: its ① forms are filed 随時 and the contractor
        # files a form 2 変更 that day (SPEC §4 (c)).
        applied=date(2025, 3, 26),
        approved=date(2025, 3, 28),
        approval_no="日架第1号",
        row=2,
    )
    values.update(overrides)
    return Subcontractor(**values)


def staff(**overrides: Any) -> StaffMember:
    values: dict[str, Any] = dict(
        contract_id="T-001",
        name="架空 四郎",
        affiliation="保守部",
        role="保守担当",
        handles_important=True,
        trained_on=date(2025, 3, 20),
        row=2,
    )
    values.update(overrides)
    return StaffMember(**values)


def training(**overrides: Any) -> Training:
    values: dict[str, Any] = dict(
        contract_id="T-001", title="情報セキュリティ研修", held_on=date(2025, 3, 20), row=2
    )
    values.update(overrides)
    return Training(**values)


def disposal(**overrides: Any) -> Disposal:
    values: dict[str, Any] = dict(
        contract_id="T-001",
        item="申請書控え",
        kind="紙",
        medium="紙",
        quantity="10枚",
        method="廃棄",
        detail="裁断",
        done_on=date(2026, 3, 31),
        done_by="架空 四郎",
        row=2,
    )
    values.update(overrides)
    return Disposal(**values)


def write_workbook(
    path: Path, sheets: dict[str, list[dict[str, Any]]], headers: dict[str, list[str]] | None = None
) -> Path:
    """Write ``{sheet: [row dict, …]}`` to ``path``; headers default to the union of the rows' keys."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        cols = (headers or {}).get(name) or list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
    wb.save(path)
    return path


def contract_row(**overrides: Any) -> dict[str, Any]:
    """One 契約 sheet row (cell values as a contractor would type them)."""
    row: dict[str, Any] = {
        "契約番号": "T-001",
        "業務名": "架空システム保守業務委託",
        "担当課": "情報政策課",
        "受託者名称": "株式会社テスト架空データ",
        "受託者所在地": "東京都日野市架空町1-1-1",
        "代表者職氏名": "代表取締役 架空 太郎",
        "契約締結日": date(2025, 3, 25),
        "契約開始日": date(2025, 4, 1),
        "契約終了日": date(2026, 3, 31),
        "解除日": None,
        "機密性区分": 2,
        "特定個人情報": "無",
        "重要情報の保存": "無",
        "再委託": "無",
        "システム開発": "無",
        "責任者氏名": "試験 一郎",
        "責任者役職": "部長",
        "責任者連絡先": "042-000-0000",
        "代行者氏名": "試験 二郎",
        "代行者役職": "課長",
        "代行者連絡先": "042-000-0001",
        "作業場所": "日野市役所 架空庁舎",
        "担当者氏名": None,  # blank: the 責任者 is the 担当者
        "担当者連絡先": None,
    }
    row.update(overrides)
    return row
