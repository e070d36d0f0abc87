"""Write data/sample.xlsx: eight fictional contracts that exercise every form and timing (rules §11).

Run ``python data/make_sample.py``; the output is byte-for-byte the same on
every run (fixed document properties and zip timestamps), so the committed
workbook can be checked against this script. Every company, person and
address is invented (東京都日野市架空町…); phone numbers use 042-000-xxxx.

What the contracts cover (SPEC §4):

- R7-001 class 3 + My Number, single year, stores information: forms 1–5 ①③;
  a My Number paper 廃棄 without a 立会者 (warning) and a staff member with no
  training (warning); 報告 answers for forms 4-① and 5-①.
- R7-001 names a 担当者 for the paperwork (the others leave it to the 責任者).
- R7-002 class 3, 2025-10-01 – 2027-09-30 (crosses two April 1sts: 4-② twice);
  項目調整 (§15(2)) rewords item 7 of form 4, deletes item 22 and adds one;
  subcontracting with one approved and one pending (no 承認日) subcontractor;
  disposal done after the end (form 1 dated by the latest 実施日); 報告 ② answers.
- R7-003 class 1, general information: form 2 only.
- R7-004 class 2, stores information, terminated early (解除日 2025-12-31).
- R7-005 class 1 system development: form 3 by §11 開発環境の報告.
- R7-006 class 3 personal information, does not store it: no form 1.
- R7-007 My Number, 2025-04-01 – 2028-03-31 (4-②/5-② in 2026 and 2027).
- R7-008 class 2 statistics, does not store; staff trained more than a year
  before the start (warning).

SPEC v2 (随時 and training that is dated and stated):

- a staff change: R7-007's 藤田 颯 leaves on 2026-09-30 and 新井 翼 joins on
  2026-10-01 (form 2 変更 on 2026-10-01); R7-002's 松本 彩 joins on 2025-11-01 (trained after it: a warning);
- a later subcontract: R7-002's ひかりネット保守 applies on 2026-03-02 (its ①
  forms and the contractor's form 2 変更 go to 随時_2026-03-02; no deputy: a
  warning); its subcontract ends on 2027-03-31 (form 2 変更 on 2027-04-01);
- a mid-contract disposal: R7-007 destroys the FY2025 application copies on
  2026-06-15 (a 随時 form 1 for that day; the ③ certificate lists the rest);
- a late training: R7-005 (5/26 after its 5/20 conclusion), R7-006 and R7-002's
  たまデータサポート: form 3 is dated by the training, in a 随時 folder;
- partial 実施項目: R7-005 (9, 12, 13) and たまデータサポート (1–6, 8–12): the
  missing topics are a warning; R7-003 (class 1) leaves 実施項目 blank.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hino_forms.workbook.schema import SHEETS  # noqa: E402

OUT = ROOT / "data" / "sample.xlsx"
FIXED = datetime(2025, 3, 1, 9, 0, 0)
D = date

HINO = "東京都日野市架空町"


def contracts() -> list[dict[str, Any]]:
    """The 契約 sheet: dates mostly real Excel dates, some typed in the text forms of SPEC §3."""
    base = dict(特定個人情報="無", 重要情報の保存="無", 再委託="無", システム開発="無", 解除日=None)
    rows = [
        dict(
            契約番号="R7-001",
            業務名="住民窓口受付業務委託",
            担当課="市民課",
            受託者名称="株式会社ひのデータサービス",
            受託者所在地=f"{HINO}1-2-3",
            代表者職氏名="代表取締役 山田 花子",
            契約締結日=D(2025, 3, 25),
            契約開始日="R7.4.1",
            契約終了日="令和8年3月31日",
            機密性区分=3,
            特定個人情報="有",
            重要情報の保存="有",
            責任者氏名="鈴木 一郎",
            責任者役職="業務部長",
            責任者連絡先="042-000-0101",
            代行者氏名="佐藤 次郎",
            代行者役職="業務課長",
            代行者連絡先="042-000-0102",
            作業場所="日野市役所 本庁舎1階 市民課窓口",
            担当者氏名="小林 由美",
            担当者連絡先="042-000-0103",
        ),
        dict(
            契約番号="R7-002",
            業務名="介護保険システム運用保守業務委託",
            担当課="高齢福祉課",
            受託者名称="株式会社たまシステム工房",
            受託者所在地=f"{HINO}2-4-6",
            代表者職氏名="代表取締役 森川 太一",
            契約締結日=D(2025, 9, 12),
            契約開始日=D(2025, 10, 1),
            契約終了日=D(2027, 9, 30),
            機密性区分="３",
            重要情報の保存="はい",
            再委託="有",
            責任者氏名="川村 健",
            責任者役職="運用部長",
            責任者連絡先="042-000-0201",
            代行者氏名="石田 美香",
            代行者役職="運用課長",
            代行者連絡先="042-000-0202",
            作業場所="日野市役所 本庁舎3階 サーバ室",
        ),
        dict(
            契約番号="R7-003",
            業務名="市ホームページ記事更新業務委託",
            担当課="広報課",
            受託者名称="合同会社あさかわ編集室",
            受託者所在地=f"{HINO}3-1-8",
            代表者職氏名="代表社員 浅野 里美",
            契約締結日="２０２５／３／２７",
            契約開始日=D(2025, 4, 1),
            契約終了日=D(2026, 3, 31),
            機密性区分=1,
            責任者氏名="浅野 里美",
            責任者役職="代表社員",
            責任者連絡先="042-000-0301",
            代行者氏名="中野 弘",
            代行者役職="編集長",
            代行者連絡先="042-000-0302",
        ),
        dict(
            契約番号="R7-004",
            業務名="政策検討資料作成支援業務委託",
            担当課="企画経営課",
            受託者名称="株式会社みなみ総研",
            受託者所在地=f"{HINO}4-9-1",
            代表者職氏名="代表取締役 南 誠",
            契約締結日=D(2025, 4, 10),
            契約開始日=D(2025, 4, 15),
            契約終了日=D(2026, 3, 31),
            解除日="2025-12-31",
            機密性区分=2,
            重要情報の保存="○",
            責任者氏名="北原 由紀",
            責任者役職="研究部長",
            責任者連絡先="042-000-0401",
            代行者氏名="東 修平",
            代行者役職="主任研究員",
            代行者連絡先="042-000-0402",
            作業場所="株式会社みなみ総研 本社 会議室A（市の承認済み）",
        ),
        dict(
            契約番号="R7-005",
            業務名="施設予約システム開発業務委託",
            担当課="情報政策課",
            受託者名称="株式会社架空ソフトウェア",
            受託者所在地=f"{HINO}5-5-5",
            代表者職氏名="代表取締役 開発 進",
            契約締結日=D(2025, 5, 20),
            契約開始日=D(2025, 6, 1),
            契約終了日="R8/2/27",
            機密性区分=1,
            システム開発="有",
            責任者氏名="設計 真一",
            責任者役職="開発部長",
            責任者連絡先="042-000-0501",
            代行者氏名="試験 香織",
            代行者役職="品質管理課長",
            代行者連絡先="042-000-0502",
            作業場所="株式会社架空ソフトウェア 開発室",
        ),
        dict(
            契約番号="R7-006",
            業務名="固定資産税課税資料データ入力業務委託",
            担当課="資産税課",
            受託者名称="株式会社にしき入力センター",
            受託者所在地=f"{HINO}6-3-2",
            代表者職氏名="代表取締役 錦 光子",
            契約締結日="令和7年6月20日",
            契約開始日=D(2025, 7, 1),
            契約終了日=D(2025, 12, 26),
            機密性区分=3,
            責任者氏名="錦 大輔",
            責任者役職="入力部長",
            責任者連絡先="042-000-0601",
            代行者氏名="岡本 晴美",
            代行者役職="入力課長",
            代行者連絡先="042-000-0602",
            作業場所="日野市役所 本庁舎2階 資産税課内 作業室",
        ),
        dict(
            契約番号="R7-007",
            業務名="個人番号カード交付補助業務委託",
            担当課="市民課",
            受託者名称="株式会社ひのデータサービス",
            受託者所在地=f"{HINO}1-2-3",
            代表者職氏名="代表取締役 山田 花子",
            契約締結日=D(2025, 3, 18),
            契約開始日=D(2025, 4, 1),
            契約終了日=D(2028, 3, 31),
            機密性区分=3,
            特定個人情報="有",
            重要情報の保存="有",
            責任者氏名="鈴木 一郎",
            責任者役職="業務部長",
            責任者連絡先="042-000-0101",
            代行者氏名="高野 真由",
            代行者役職="交付センター長",
            代行者連絡先="042-000-0703",
            作業場所="日野市役所 本庁舎1階 個人番号カード交付窓口",
        ),
        dict(
            契約番号="R7-008",
            業務名="市民意識調査集計業務委託",
            担当課="市民相談課",
            受託者名称="株式会社こがねリサーチ",
            受託者所在地=f"{HINO}8-1-4",
            代表者職氏名="代表取締役 黄金 稔",
            契約締結日=D(2025, 7, 25),
            契約開始日=D(2025, 8, 1),
            契約終了日=D(2026, 1, 30),
            機密性区分=2,
            責任者氏名="黄金 稔",
            責任者役職="代表取締役",
            責任者連絡先="042-000-0801",
            代行者氏名="白井 陽子",
            代行者役職="調査課長",
            代行者連絡先="042-000-0802",
            作業場所="株式会社こがねリサーチ 集計室",
        ),
    ]
    return [base | r for r in rows]


def staff() -> list[dict[str, Any]]:
    """3–8 people per contract; a few without valid training (form 3 marks them 未受講)."""

    def p(
        cid: str,
        name: str,
        aff: str,
        role: str,
        imp: str,
        mn: str,
        trained: Any,
        sub: str = "",
        joined: Any = None,
        left: Any = None,
    ) -> dict[str, Any]:
        return dict(
            契約番号=cid,
            再委託先名称=sub,
            氏名=name,
            所属=aff,
            役割=role,
            重要情報取扱=imp,
            特定個人情報取扱=mn,
            研修受講日=trained,
            従事開始日=joined,
            従事終了日=left,
        )

    tama = "有限会社たまデータサポート"
    return [
        p(
            "R7-001",
            "鈴木 一郎",
            "業務部",
            "情報セキュリティ対策責任者",
            "有",
            "有",
            D(2025, 3, 10),
        ),
        p("R7-001", "佐藤 次郎", "業務部", "代行者", "有", "有", D(2025, 3, 10)),
        p("R7-001", "高橋 三郎", "窓口サービス課", "窓口受付", "有", "有", "令和7年3月10日"),
        p("R7-001", "田中 優子", "窓口サービス課", "窓口受付", "有", "有", "R7.3.10"),
        p("R7-001", "伊藤 健太", "窓口サービス課", "窓口受付（4月採用）", "有", "無", None),
        p("R7-002", "川村 健", "運用部", "情報セキュリティ対策責任者", "有", "無", D(2025, 9, 1)),
        p("R7-002", "石田 美香", "運用部", "代行者", "有", "無", D(2025, 9, 1)),
        p("R7-002", "山口 大輔", "運用課", "運用保守", "有", "無", D(2025, 9, 1)),
        # Joins a month into the contract (form 2 変更), trained four days after her own
        # start (§7: a warning, counted from her 従事開始日).
        p(
            "R7-002",
            "松本 彩",
            "運用課",
            "運用保守",
            "有",
            "無",
            D(2025, 11, 5),
            joined=D(2025, 11, 1),
        ),
        p("R7-002", "井上 剛", "運用課", "ヘルプデスク", "無", "無", "２０２５年９月１日"),
        p(
            "R7-002",
            "小林 五月",
            "データ入力部",
            "再委託先責任者",
            "有",
            "無",
            D(2025, 9, 25),
            tama,
        ),
        p("R7-002", "加藤 由美", "データ入力部", "データ入力", "有", "無", D(2025, 9, 25), tama),
        p("R7-002", "吉田 拓海", "データ入力部", "データ入力", "有", "無", D(2025, 9, 25), tama),
        p(
            "R7-002",
            "光 健二",
            "保守部",
            "再委託先責任者",
            "無",
            "無",
            D(2026, 3, 10),
            "株式会社ひかりネット保守",
        ),
        p(
            "R7-002",
            "星野 拓",
            "保守部",
            "機器保守",
            "無",
            "無",
            D(2026, 3, 10),
            "株式会社ひかりネット保守",
        ),
        p(
            "R7-003",
            "浅野 里美",
            "編集部",
            "情報セキュリティ対策責任者",
            "無",
            "無",
            D(2025, 3, 15),
        ),
        p("R7-003", "中野 弘", "編集部", "記事作成", "無", "無", D(2025, 3, 15)),
        p("R7-003", "西村 葵", "編集部", "記事作成", "無", "無", D(2025, 3, 15)),
        p("R7-004", "北原 由紀", "研究部", "情報セキュリティ対策責任者", "有", "無", D(2025, 4, 8)),
        p("R7-004", "東 修平", "研究部", "代行者", "有", "無", D(2025, 4, 8)),
        p("R7-004", "村上 結衣", "研究部", "資料作成", "有", "無", D(2025, 4, 8)),
        p("R7-004", "岡田 隼", "研究部", "資料作成", "有", "無", D(2025, 4, 8)),
        p(
            "R7-005",
            "設計 真一",
            "開発部",
            "情報セキュリティ対策責任者",
            "無",
            "無",
            D(2025, 5, 26),
        ),
        p("R7-005", "試験 香織", "品質管理課", "代行者", "無", "無", D(2025, 5, 26)),
        p("R7-005", "実装 浩二", "開発部", "プログラマ", "無", "無", D(2025, 5, 26)),
        p("R7-005", "画面 さくら", "開発部", "デザイナ", "無", "無", D(2025, 5, 26)),
        p("R7-005", "基盤 翔", "開発部", "インフラ担当", "無", "無", D(2025, 5, 26)),
        p("R7-006", "錦 大輔", "入力部", "情報セキュリティ対策責任者", "有", "無", D(2025, 6, 25)),
        p("R7-006", "岡本 晴美", "入力部", "代行者", "有", "無", D(2025, 6, 25)),
        p("R7-006", "藤井 蓮", "入力課", "データ入力", "有", "無", D(2025, 6, 25)),
        p("R7-006", "清水 千尋", "入力課", "データ入力", "有", "無", D(2025, 6, 25)),
        p("R7-006", "森 陽介", "入力課", "検査", "有", "無", D(2025, 6, 25)),
        p("R7-006", "池田 理沙", "入力課", "データ入力", "有", "無", D(2025, 6, 25)),
        p(
            "R7-007",
            "鈴木 一郎",
            "業務部",
            "情報セキュリティ対策責任者",
            "有",
            "有",
            D(2025, 3, 10),
        ),
        p("R7-007", "高野 真由", "交付センター", "代行者", "有", "有", D(2025, 3, 10)),
        p("R7-007", "橋本 直樹", "交付センター", "交付補助", "有", "有", D(2025, 3, 10)),
        p("R7-007", "阿部 恵", "交付センター", "交付補助", "有", "有", D(2025, 3, 10)),
        p("R7-007", "石井 亮", "交付センター", "交付補助", "有", "有", D(2025, 3, 10)),
        p("R7-007", "前田 詩織", "交付センター", "予約受付", "有", "有", D(2025, 3, 10)),
        # A staff change half-way: 藤田 leaves, 新井 takes over the next day (form 2 変更).
        p(
            "R7-007",
            "藤田 颯",
            "交付センター",
            "予約受付",
            "有",
            "有",
            D(2025, 3, 10),
            left=D(2026, 9, 30),
        ),
        p(
            "R7-007",
            "新井 翼",
            "交付センター",
            "予約受付",
            "有",
            "有",
            "令和8年9月18日",
            joined="R8.10.1",
        ),
        p(
            "R7-008",
            "黄金 稔",
            "経営企画室",
            "情報セキュリティ対策責任者",
            "有",
            "無",
            D(2025, 7, 15),
        ),
        p("R7-008", "白井 陽子", "調査課", "代行者", "有", "無", D(2025, 7, 15)),
        p("R7-008", "原田 悠斗", "調査課", "集計", "有", "無", D(2024, 6, 3)),
        p("R7-008", "小野 美咲", "調査課", "集計", "有", "無", D(2025, 7, 15)),
    ]


def trainings() -> list[dict[str, Any]]:
    content = (
        "守秘義務、重要情報の定義と機密性区分、保管・取扱・廃棄の方法、事故時の報告、再委託の制限"
    )
    t = dict
    return [
        t(
            契約番号="R7-001",
            研修名="日野市受託業務 情報セキュリティ研修",
            実施日=D(2025, 3, 10),
            実施方法="集合研修",
            講師="鈴木 一郎（情報セキュリティ対策責任者）",
            研修内容=content + "、特定個人情報の取扱い",
            実施項目="全項目",
        ),
        t(
            契約番号="R7-002",
            研修名="情報セキュリティ・個人情報保護研修",
            実施日=D(2025, 9, 1),
            実施方法="集合研修",
            講師="川村 健（情報セキュリティ対策責任者）",
            研修内容=content,
            実施項目="1-12,14-16",
        ),
        t(
            契約番号="R7-002",
            再委託先名称="有限会社たまデータサポート",
            研修名="再委託先向け情報セキュリティ研修",
            実施日=D(2025, 9, 25),
            実施方法="e-ラーニング",
            講師="小林 五月",
            研修内容=content,
            実施項目="1-6,8-12",
        ),
        t(
            契約番号="R7-003",
            研修名="情報セキュリティ基礎研修",
            実施日=D(2025, 3, 15),
            実施方法="e-ラーニング",
            講師="浅野 里美",
            研修内容="守秘義務、公開前情報の取扱い",
        ),
        t(
            契約番号="R7-004",
            研修名="情報セキュリティ研修",
            実施日=D(2025, 4, 8),
            実施方法="集合研修",
            講師="北原 由紀",
            研修内容=content,
            実施項目="全項目",
        ),
        t(
            契約番号="R7-005",
            研修名="開発者向け情報セキュリティ研修",
            実施日="R7.5.26",
            実施方法="集合研修",
            講師="設計 真一",
            研修内容="開発データの取扱い（§11）、テスト専用データの作成、パスワードポリシー",
            実施項目="9,12,13",
        ),
        t(
            契約番号="R7-006",
            研修名="個人情報取扱研修",
            実施日=D(2025, 6, 25),
            実施方法="集合研修",
            講師="錦 大輔",
            研修内容=content,
            実施項目="全項目",
        ),
        t(
            契約番号="R7-007",
            研修名="特定個人情報取扱研修",
            実施日=D(2025, 3, 10),
            実施方法="集合研修",
            講師="鈴木 一郎",
            研修内容=content + "、特定個人情報の取扱い",
            実施項目="全項目",
        ),
        t(
            契約番号="R7-007",
            研修名="特定個人情報取扱研修（新任者）",
            実施日=D(2026, 9, 18),
            実施方法="個別研修",
            講師="高野 真由",
            研修内容="新任者向けに全項目を実施",
            実施項目="1-16",
        ),
        t(
            契約番号="R7-008",
            研修名="情報セキュリティ研修",
            実施日=D(2025, 7, 15),
            実施方法="e-ラーニング",
            講師="黄金 稔",
            研修内容=content,
            実施項目="1-12,15,16",
        ),
    ]


def subcontractors() -> list[dict[str, Any]]:
    """R7-002: one approved subcontractor and one whose approval is pending (no 承認日)."""
    return [
        dict(
            契約番号="R7-002",
            再委託先名称="有限会社たまデータサポート",
            再委託先所在地=f"{HINO}7-7-1",
            再委託先代表者職氏名="代表取締役 中村 四郎",
            再委託業務内容="介護保険データの入力・照合",
            再委託理由="制度改正に伴う入力作業の集中に対応するため",
            再委託開始日=None,
            再委託終了日=None,
            機密性区分=2,
            特定個人情報="無",
            重要情報の保存="無",
            再委託先責任者氏名="小林 五月",
            再委託先責任者役職="データ入力部長",
            再委託先責任者連絡先="042-000-0771",
            再委託先代行者氏名="加藤 由美",
            再委託先代行者役職="データ入力課長",
            再委託先代行者連絡先="042-000-0772",
            申請日=D(2025, 9, 12),
            承認日=D(2025, 9, 22),
            承認番号="日高福第512号",
        ),
        dict(
            契約番号="R7-002",
            再委託先名称="株式会社ひかりネット保守",
            再委託先所在地=f"{HINO}9-2-3",
            再委託先代表者職氏名="代表取締役 光 正人",
            再委託業務内容="ネットワーク機器の保守点検",
            再委託理由="専門的な機器保守の技術が必要なため",
            再委託開始日=D(2026, 4, 1),
            再委託終了日=D(2027, 3, 31),
            機密性区分=1,
            特定個人情報="無",
            重要情報の保存="無",
            再委託先責任者氏名="光 健二",
            再委託先責任者役職="保守部長",
            再委託先責任者連絡先="042-000-0921",
            # No deputy yet: a warning (§6(1) through §12(2)); form 2 leaves the row blank.
            申請日="R8.3.2",
            承認日=None,
            承認番号=None,
        ),
    ]


def disposals() -> list[dict[str, Any]]:
    d = dict
    return [
        d(
            契約番号="R7-001",
            資料名="住民異動届 控え（マイナンバー記載）",
            区分="紙",
            媒体="紙",
            数量="1,240枚",
            方法="廃棄",
            具体的方法="溶解",
            実施日=D(2026, 3, 30),
            実施者="高橋 三郎",
            立会者=None,
        ),
        d(
            契約番号="R7-001",
            資料名="窓口受付記録データ",
            区分="電子",
            媒体="業務用PCのHDD",
            数量="2台",
            方法="消去",
            具体的方法="消去ソフト（3回上書き）",
            実施日=D(2026, 3, 31),
            実施者="佐藤 次郎",
            立会者="日野 太郎（市民課）",
        ),
        d(
            契約番号="R7-001",
            資料名="マニュアル（市から貸与）",
            区分="紙",
            媒体="紙",
            数量="5冊",
            方法="返還",
            具体的方法="市民課へ手渡し",
            実施日=D(2026, 3, 31),
            実施者="鈴木 一郎",
        ),
        d(
            契約番号="R7-002",
            資料名="介護保険システム ログデータ",
            区分="電子",
            媒体="サーバのHDD",
            数量="4台",
            方法="廃棄",
            具体的方法="物理破壊",
            実施日=D(2027, 10, 15),
            実施者="山口 大輔",
        ),
        d(
            契約番号="R7-002",
            資料名="運用手順書（市提供）",
            区分="紙",
            媒体="紙",
            数量="3冊",
            方法="返還",
            具体的方法="高齢福祉課へ手渡し",
            実施日="令和9年9月30日",
            実施者="川村 健",
        ),
        d(
            契約番号="R7-004",
            資料名="政策検討資料（公表前）",
            区分="紙",
            媒体="紙",
            数量="320枚",
            方法="廃棄",
            具体的方法="裁断",
            実施日=D(2025, 12, 26),
            実施者="村上 結衣",
        ),
        d(
            契約番号="R7-004",
            資料名="分析用データ",
            区分="電子",
            媒体="業務用PCのSSD",
            数量="3台",
            方法="消去",
            具体的方法="消去ソフト",
            実施日=D(2025, 12, 26),
            実施者="岡田 隼",
        ),
        # §10(3): destroyed mid-contract, certified on its own 随時 form 1.
        d(
            契約番号="R7-007",
            資料名="前年度の交付申請書写し",
            区分="紙",
            媒体="紙",
            数量="2,150枚",
            方法="廃棄",
            具体的方法="溶解",
            実施日=D(2026, 6, 15),
            実施者="橋本 直樹",
            立会者="日野 花子（市民課）",
        ),
        d(
            契約番号="R7-007",
            資料名="交付申請書 写し（マイナンバー記載）",
            区分="紙",
            媒体="紙",
            数量="3,600枚",
            方法="廃棄",
            具体的方法="溶解",
            実施日=D(2028, 3, 29),
            実施者="橋本 直樹",
            立会者="日野 花子（市民課）",
        ),
    ]


def answers() -> list[dict[str, Any]]:
    """Some checklist answers (items 1–5); the rest print as empty boxes to tick by hand."""
    rows: list[dict[str, Any]] = []

    def add(cid: str, form: str, timing: str, items: range, year: Any = None, no: int = 0) -> None:
        for i in items:
            rows.append(
                dict(
                    契約番号=cid,
                    様式=form,
                    時期=timing,
                    年度=year,
                    項目番号=str(i),
                    回答="いいえ" if i == no else "はい",
                    備考="改善計画を提出済み" if i == no else None,
                )
            )

    add("R7-001", "4", "①", range(1, 6))
    add("R7-001", "5", "①", range(1, 4))
    add("R7-002", "4", "①", range(1, 6))
    add("R7-002", "4", "②", range(1, 6), year="令和8年度", no=3)
    add("R7-007", "5", "②", range(1, 4), year=2026)
    return rows


def adjustments() -> list[dict[str, Any]]:
    """§15(2): the city tailors form 4 of R7-002 (a server-room operation without web meetings)."""
    return [
        dict(
            契約番号="R7-002",
            様式="4",
            項目番号="7",
            操作="変更",
            文言="全ての従事者は、市が指定した作業場所（本庁舎3階 サーバ室）でのみ作業している。",
        ),
        dict(契約番号="R7-002", 様式="4", 項目番号="22", 操作="削除"),
        dict(
            契約番号="R7-002",
            様式="4",
            操作="追加",
            文言="サーバ室に入退室した日時と氏名は、市の入退室管理簿に記録している。",
            該当項="10(1)②",
        ),
    ]


def build() -> bytes:
    """The workbook as deterministic .xlsx bytes."""
    data = {
        "契約": contracts(),
        "従事者": staff(),
        "研修": trainings(),
        "再委託": subcontractors(),
        "廃棄": disposals(),
        "報告": answers(),
        "項目調整": adjustments(),
    }
    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        headers = [c.header for c in sheet.read_columns]  # a ledger: no reference columns
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for row in data[sheet.name]:
            ws.append([row.get(h) for h in headers])
        for i, header in enumerate(headers, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, 2.2 * len(header) + 2)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy/m/d"
        ws.freeze_panes = "A2"
    wb.properties.creator = "hino-forms data/make_sample.py"
    wb.properties.created = wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack with fixed timestamps: openpyxl stamps the save time into the zip and core.xml."""
    out = io.BytesIO()
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"{OUT.relative_to(ROOT)} を書きました")
