"""Fictional workbooks of any size with the sample's mix of contracts (rules §11: invented data only).

Used by the benchmarks; deterministic for a given seed.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from hino_forms.workbook.schema import CONTRACT, DISPOSAL, REPORT, STAFF, SUBCONTRACT, TRAINING

_FAMILY = ["架空", "試験", "見本", "仮名", "例示", "模擬", "想定", "空想"]
_GIVEN = ["一郎", "花子", "次郎", "桜", "三郎", "葵", "四郎", "楓"]
_WORK = ["窓口受付業務", "システム保守業務", "データ入力業務", "印刷発送業務", "調査集計業務"]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}"


def write_synthetic_workbook(path: Path, contracts: int, *, seed: int = 7) -> Path:
    """Write ``contracts`` fictional contracts (with staff, subcontractors, disposals, answers) to ``path``."""
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    sheets = {
        s.name: wb.create_sheet(s.name)
        for s in (CONTRACT, STAFF, TRAINING, SUBCONTRACT, DISPOSAL, REPORT)
    }
    for s in (CONTRACT, STAFF, TRAINING, SUBCONTRACT, DISPOSAL, REPORT):
        sheets[s.name].append(list(s.headers))
    for i in range(contracts):
        cid = f"B{i + 1:05d}"
        kind = i % 8  # the sample's mix: one of each kind in turn
        cls = [1, 2, 3, 3, 3, 2, 1, 3][kind]
        my_number = kind in (3, 7)
        stores = kind in (2, 3, 5, 7)
        subcontracting = kind in (4, 7)
        years = 3 if kind == 5 else 1
        start = date(2025, 4, 1) + timedelta(days=rng.choice([0, 0, 0, 30, 183]))
        end = date(start.year + years, start.month, 1) - timedelta(days=1)
        concluded = start - timedelta(days=7)
        terminated = end - timedelta(days=90) if kind == 6 else None
        sheets["契約"].append(
            [
                cid,
                f"{rng.choice(_WORK)}委託（{cid}）",
                "架空課",
                f"株式会社架空データ{i % 97}",
                f"東京都日野市架空町{i % 9 + 1}-{i % 7 + 1}-1",
                f"代表取締役 {_person(rng)}",
                concluded,
                start,
                end,
                terminated,
                cls,
                "有" if my_number else "無",
                "有" if stores else "無",
                "有" if subcontracting else "無",
                "有" if kind == 1 else "無",
                _person(rng),
                "部長",
                "042-000-0000",
                _person(rng),
                "課長",
                "042-000-0001",
                "日野市役所 架空庁舎",
            ]
        )
        for n in range(4):
            trained = concluded - timedelta(days=3) if n != 3 or kind % 2 else None
            important = "有" if cls >= 2 else "無"
            sheets["従事者"].append(
                [
                    cid,
                    None,
                    _person(rng),
                    "業務部",
                    "担当",
                    important,
                    "有" if my_number and n < 2 else "無",
                    trained,
                ]
            )
        sheets["研修"].append(
            [
                cid,
                None,
                "情報セキュリティ研修",
                concluded - timedelta(days=3),
                "集合研修",
                "架空 講師",
                "守秘義務ほか",
            ]
        )
        if subcontracting:
            for k, approved in enumerate((concluded + timedelta(days=2), None)):
                name = f"有限会社架空サポート{k + 1}"
                sheets["再委託"].append(
                    [
                        cid,
                        name,
                        "東京都日野市架空町9-9-9",
                        f"代表取締役 {_person(rng)}",
                        "データ入力",
                        "繁忙期の補助",
                        start,
                        end,
                        2 if k == 0 else 1,
                        "無",
                        "無",
                        _person(rng),
                        concluded,
                        approved,
                        "日架第1号" if approved else None,
                    ]
                )
                sheets["従事者"].append(
                    [
                        cid,
                        name,
                        _person(rng),
                        "入力課",
                        "入力",
                        "有" if k == 0 else "無",
                        "無",
                        concluded,
                    ]
                )
        if stores:
            witness = None if my_number and i % 16 == 3 else "日野 職員"
            sheets["廃棄"].append(
                [
                    cid,
                    None,
                    "申請書控え",
                    "紙",
                    "紙",
                    "100枚",
                    "廃棄",
                    "裁断",
                    terminated or end,
                    _person(rng),
                    witness,
                ]
            )
        if cls >= 2:
            for item in ("1", "2", "3"):
                sheets["報告"].append([cid, None, 4, "①", None, item, "はい", None])
    wb.save(path)
    return path


def read_bench_workbooks(out: Path, contracts: int) -> list[tuple[str, Path]]:
    """The workbook as openpyxl writes it (inline strings) and, where LibreOffice exists, as
    Excel-like tools write it (shared strings): made once under ``out`` and reused."""
    out.mkdir(exist_ok=True)
    inline = out / f"read-{contracts}.xlsx"
    if not inline.exists():
        write_synthetic_workbook(inline, contracts)
    files = [("inline strings", inline)]
    shared = out / "excel-like" / inline.name
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice and not shared.exists():
        subprocess.run(
            [
                soffice,
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(shared.parent),
                str(inline),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    if shared.exists():
        files.append(("shared strings", shared))
    return files
