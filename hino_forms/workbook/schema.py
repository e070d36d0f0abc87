"""The input workbook's sheets and columns (SPEC §3): every column fact, in one place.

A ``Column`` says what its header is, which record field it fills, how its
cells are read, who fills it (the city or the contractor) and what to write.
The reader builds records from it, ``init`` lays out the workbook a
contractor fills from it, and ``merge`` knows from it which cells are the
city's and which columns identify a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """How a column's cells are read."""

    TEXT = "text"
    DATE = "date"
    FLAG = "flag"  # 有/無 (also はい/いいえ, ○/×, yes/no, true/false)
    CLASS = "class"  # 機密性区分 1/2/3
    CHOICE = "choice"  # one of Column.choices
    FISCAL_YEAR = "fiscal_year"  # 2026 or 令和8年度
    NUMBER_TEXT = "number_text"  # a number or text kept as written (数量, 項目番号)


class Filler(str, Enum):
    """Who writes a column's cells."""

    CITY = "city"  # 市の担当課: the contract's terms, approvals
    CONTRACTOR = "contractor"  # 受託者 (for itself and its subcontractors)
    REFERENCE = "reference"  # printed by ``init`` for reading; never read back

    @property
    def label(self) -> str:
        """市の担当課, 受託者 or 参考."""
        return {"city": "市の担当課", "contractor": "受託者", "reference": "参考"}[self.value]


CONTRACT_ID = "契約番号"
SUBCONTRACTOR_NAME = "再委託先名称"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # the record's attribute ("officer.name": a Person inside it; "" = not read)
    kind: Kind = Kind.TEXT
    required: bool = False  # the cell must be filled (a missing *column* is fatal only on 契約)
    choices: tuple[str, ...] = ()
    help: str = ""  # what to write (Japanese), shown as the input prompt by ``init``
    example: str = ""
    filled_by: Filler | None = None  # None: whoever fills the sheet (``Sheet.filled_by``)
    # An unreadable cell is a warning and reads as blank (研修!実施日: the row counts as no
    # session, SPEC §3) instead of an error against the contract.
    lenient: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    required: bool = False  # the workbook must have this sheet
    purpose: str = ""  # what the sheet is for and which forms it feeds (Japanese)
    filled_by: Filler = Filler.CONTRACTOR
    # The headers that identify a row within its contract, for ``merge`` (契約番号 first).
    key: tuple[str, ...] = ()
    forms: tuple[int, ...] = ()  # the forms that print this sheet's rows

    @property
    def forms_text(self) -> str:
        """様式第2号・第3号: the forms that print this sheet's rows, in words."""
        return "・".join(f"様式第{f}号" for f in self.forms)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def read_columns(self) -> tuple[Column, ...]:
        """The columns the reader takes (reference columns are only for the eye)."""
        return tuple(c for c in self.columns if c.filled_by is not Filler.REFERENCE)

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)

    def filler(self, header: str) -> Filler:
        """Who fills ``header`` on this sheet."""
        return self.column(header).filled_by or self.filled_by

    def columns_filled_by(self, filler: Filler) -> tuple[str, ...]:
        """The headers ``filler`` writes, in sheet order."""
        return tuple(c.header for c in self.columns if (c.filled_by or self.filled_by) is filler)

    @property
    def who(self) -> str:
        """Who fills the sheet, in words for the instructions (e.g. 受託者（承認日・承認番号は市の担当課）)."""
        others = {f: self.columns_filled_by(f) for f in (Filler.CITY, Filler.CONTRACTOR)}
        exceptions = [
            f"{'・'.join(headers)}は{f.label}"
            for f, headers in others.items()
            if headers and f is not self.filled_by
        ]
        return self.filled_by.label + (f"（{'、'.join(exceptions)}）" if exceptions else "")


FLAG_TRUE = ("有", "あり", "はい", "○", "〇", "yes", "true", "1")
FLAG_FALSE = ("無", "なし", "いいえ", "×", "✕", "no", "false", "0")
ANSWERS = ("はい", "いいえ", "該当なし")
TIMING_MARKS = ("①", "②", "③")

_C = Column
_CONTRACTOR = Filler.CONTRACTOR
CONTRACT = Sheet(
    "契約",
    (
        _C(
            "契約番号",
            "contract_id",
            required=True,
            help="契約を区別する番号（ブック内で重複不可）",
            example="R7-001",
        ),
        _C(
            "業務名",
            "work_name",
            required=True,
            help="委託する業務の名称",
            example="住民窓口受付業務委託",
        ),
        _C("担当課", "department", required=True, help="市の担当課", example="市民課"),
        _C(
            "受託者名称",
            "contractor_name",
            required=True,
            help="受託者の商号又は名称",
            example="株式会社ひのデータ",
        ),
        _C(
            "受託者所在地",
            "contractor_address",
            required=True,
            help="受託者の所在地",
            example="東京都日野市架空町1-2-3",
        ),
        _C(
            "代表者職氏名",
            "representative",
            required=True,
            help="代表者の役職と氏名",
            example="代表取締役 山田 花子",
        ),
        _C(
            "契約締結日", "concluded", Kind.DATE, True, help="契約を締結した日", example="2025/3/25"
        ),
        _C("契約開始日", "start", Kind.DATE, True, help="契約期間の初日", example="2025/4/1"),
        _C("契約終了日", "end", Kind.DATE, True, help="契約期間の末日", example="2026/3/31"),
        _C(
            "解除日",
            "terminated",
            Kind.DATE,
            help="途中で解除した場合のみ、その日",
            example="2025/12/31",
        ),
        _C(
            "機密性区分",
            "confidentiality",
            Kind.CLASS,
            True,
            ("1", "2", "3"),
            "扱う情報の最も高い機密性（1・2・3）",
            "3",
        ),
        _C(
            "特定個人情報", "my_number", Kind.FLAG, True, ("有", "無"), "マイナンバーを扱うか", "無"
        ),
        _C(
            "重要情報の保存",
            "stores_important",
            Kind.FLAG,
            True,
            ("有", "無"),
            "受託者が重要情報を保存・保管するか",
            "有",
        ),
        _C(
            "再委託",
            "subcontracting",
            Kind.FLAG,
            True,
            ("有", "無"),
            "業務の一部を再委託するか",
            "無",
        ),
        _C(
            "システム開発",
            "system_development",
            Kind.FLAG,
            False,
            ("有", "無"),
            "情報システムを開発する業務か（空欄は無）",
            "無",
        ),
        _C(
            "責任者氏名",
            "officer.name",
            required=True,
            help="情報セキュリティ対策責任者の氏名",
            example="鈴木 一郎",
            filled_by=_CONTRACTOR,
        ),
        _C(
            "責任者役職",
            "officer.title",
            help="責任者の役職",
            example="部長",
            filled_by=_CONTRACTOR,
        ),
        _C(
            "責任者連絡先",
            "officer.contact",
            help="責任者の電話番号など",
            example="042-000-0001",
            filled_by=_CONTRACTOR,
        ),
        _C(
            "代行者氏名",
            "deputy.name",
            required=True,
            help="責任者不在時に代行する者の氏名",
            example="佐藤 次郎",
            filled_by=_CONTRACTOR,
        ),
        _C(
            "代行者役職", "deputy.title", help="代行者の役職", example="課長", filled_by=_CONTRACTOR
        ),
        _C(
            "代行者連絡先",
            "deputy.contact",
            help="代行者の電話番号など",
            example="042-000-0002",
            filled_by=_CONTRACTOR,
        ),
        _C(
            "作業場所",
            "workplace",
            help="市が指定した作業場所",
            example="日野市役所 本庁舎2階 市民課",
        ),
        # The person the city calls about the paperwork; blank = the 責任者 (SPEC §3).
        _C(
            "担当者氏名",
            "clerk.name",
            help="書類の担当者の氏名（空欄は責任者）",
            example="山田 花子",
            filled_by=_CONTRACTOR,
        ),
        _C(
            "担当者連絡先",
            "clerk.contact",
            help="担当者の電話番号など（空欄は責任者の連絡先）",
            example="042-000-0003",
            filled_by=_CONTRACTOR,
        ),
    ),
    required=True,
    purpose="契約ごとに1行。すべての様式の基本情報になります。",
    filled_by=Filler.CITY,
    key=(CONTRACT_ID,),
    forms=(1, 2, 3, 4, 5, 6, 7),
)

STAFF = Sheet(
    "従事者",
    (
        _C(CONTRACT_ID, "contract_id", required=True, help="どの契約の従事者か", example="R7-001"),
        _C(
            SUBCONTRACTOR_NAME,
            "subcontractor",
            help="再委託先の従事者のみ、その名称（受託者自身の従事者は空欄）",
        ),
        _C("氏名", "name", required=True, help="従事者の氏名", example="高橋 三郎"),
        _C("所属", "affiliation", help="所属部署", example="公共システム部"),
        _C("役割", "role", help="業務での役割", example="窓口受付"),
        _C(
            "重要情報取扱",
            "handles_important",
            Kind.FLAG,
            choices=("有", "無"),
            help="重要情報を扱うか",
            example="有",
        ),
        _C(
            "特定個人情報取扱",
            "handles_my_number",
            Kind.FLAG,
            choices=("有", "無"),
            help="マイナンバーを扱うか",
            example="無",
        ),
        _C(
            "研修受講日",
            "trained_on",
            Kind.DATE,
            help="市の対策を網羅した研修を受講した日",
            example="2025/3/20",
        ),
        _C(
            "従事開始日",
            "joined",
            Kind.DATE,
            help="途中から従事する場合のみ、その日（空欄は契約・再委託の開始日）",
            example="2025/10/1",
        ),
        _C(
            "従事終了日",
            "left",
            Kind.DATE,
            help="途中で従事を終える場合のみ、最後の従事日（空欄は契約・再委託の終了日）",
            example="2025/9/30",
        ),
    ),
    purpose="業務に従事する全員（様式第2号の従事者一覧、様式第3号の受講状況）。",
    key=(CONTRACT_ID, SUBCONTRACTOR_NAME, "氏名"),
    forms=(2, 3),
)

TRAINING = Sheet(
    "研修",
    (
        _C(CONTRACT_ID, "contract_id", required=True, example="R7-001"),
        _C(SUBCONTRACTOR_NAME, "subcontractor", help="再委託先が実施した研修のみ、その名称"),
        _C("研修名", "title", required=True, help="研修の名称", example="情報セキュリティ研修"),
        _C(
            "実施日",
            "held_on",
            Kind.DATE,
            help="研修を実施した日",
            example="2025/3/20",
            lenient=True,
        ),
        _C("実施方法", "method", help="集合研修、e-ラーニングなど", example="集合研修"),
        _C("講師", "instructor", help="講師の氏名・所属", example="情報セキュリティ対策責任者"),
        _C("研修内容", "content", help="研修で扱った内容", example="守秘義務、重要情報の取扱い"),
        _C(
            "実施項目",
            "topics",
            help="様式第3号の研修項目のうち実施した番号（1-16、1,2,4-6、全項目）。空欄は未記載",
            example="1-16",
        ),
    ),
    purpose="実施した教育・研修（様式第3号）。",
    key=(CONTRACT_ID, SUBCONTRACTOR_NAME, "研修名", "実施日"),
    forms=(3,),
)

SUBCONTRACT = Sheet(
    "再委託",
    (
        _C(CONTRACT_ID, "contract_id", required=True, example="R7-001"),
        _C(
            SUBCONTRACTOR_NAME,
            "name",
            required=True,
            help="再委託先の名称",
            example="有限会社たまサポート",
        ),
        _C("再委託先所在地", "address", help="再委託先の所在地", example="東京都日野市架空町4-5-6"),
        _C(
            "再委託先代表者職氏名",
            "representative",
            help="再委託先の代表者の役職と氏名",
            example="代表取締役 中村 四郎",
        ),
        _C("再委託業務内容", "work", help="再委託する業務の内容・範囲", example="データ入力"),
        _C("再委託理由", "reason", help="再委託する理由", example="繁忙期の入力作業の補助のため"),
        _C("再委託開始日", "start", Kind.DATE, help="空欄なら契約開始日", example="2025/4/1"),
        _C("再委託終了日", "end", Kind.DATE, help="空欄なら契約終了日", example="2026/3/31"),
        _C(
            "機密性区分",
            "confidentiality",
            Kind.CLASS,
            choices=("1", "2", "3"),
            help="再委託先が扱う情報の機密性",
            example="2",
        ),
        _C(
            "特定個人情報",
            "my_number",
            Kind.FLAG,
            choices=("有", "無"),
            help="再委託先がマイナンバーを扱うか",
            example="無",
        ),
        _C(
            "重要情報の保存",
            "stores_important",
            Kind.FLAG,
            choices=("有", "無"),
            help="再委託先が重要情報を保存するか",
            example="無",
        ),
        _C(
            "再委託先責任者氏名",
            "officer_name",
            help="再委託先の情報セキュリティ対策責任者",
            example="小林 五月",
        ),
        _C("再委託先責任者役職", "officer_title", help="再委託先の責任者の役職", example="課長"),
        _C(
            "再委託先責任者連絡先",
            "officer_contact",
            help="再委託先の責任者の電話番号など",
            example="042-000-0101",
        ),
        _C(
            "再委託先代行者氏名",
            "deputy_name",
            help="再委託先の責任者不在時に代行する者の氏名",
            example="加藤 六郎",
        ),
        _C("再委託先代行者役職", "deputy_title", help="再委託先の代行者の役職", example="主任"),
        _C(
            "再委託先代行者連絡先",
            "deputy_contact",
            help="再委託先の代行者の電話番号など",
            example="042-000-0102",
        ),
        _C(
            "申請日",
            "applied",
            Kind.DATE,
            help="再委託承認申請書（様式第6号）の提出日",
            example="2025/3/26",
        ),
        _C(
            "承認日",
            "approved",
            Kind.DATE,
            help="市が承認した日（未承認なら空欄）",
            example="2025/3/28",
            filled_by=Filler.CITY,
        ),
        _C(
            "承認番号",
            "approval_no",
            help="承認通知書（様式第7号）の文書番号",
            example="日市民第100号",
            filled_by=Filler.CITY,
        ),
    ),
    purpose="再委託先ごとに1行（様式第6号・第7号、再委託先の様式第1〜5号）。",
    key=(CONTRACT_ID, SUBCONTRACTOR_NAME),
    forms=(6, 7),
)

DISPOSAL = Sheet(
    "廃棄",
    (
        _C(CONTRACT_ID, "contract_id", required=True, example="R7-001"),
        _C(SUBCONTRACTOR_NAME, "subcontractor", help="再委託先が廃棄した場合のみ、その名称"),
        _C("資料名", "item", required=True, help="資料名・データ名", example="申請書控え"),
        _C(
            "区分", "kind", Kind.CHOICE, choices=("紙", "電子"), help="紙 または 電子", example="紙"
        ),
        _C("媒体", "medium", help="紙、HDD、DVD など", example="紙"),
        _C("数量", "quantity", Kind.NUMBER_TEXT, help="件数・枚数など", example="120枚"),
        _C(
            "方法",
            "method",
            Kind.CHOICE,
            choices=("返還", "消去", "廃棄"),
            help="返還・消去・廃棄",
            example="廃棄",
        ),
        _C("具体的方法", "detail", help="裁断、溶解、物理破壊、消去ソフトなど", example="裁断"),
        _C("実施日", "done_on", Kind.DATE, help="返還・消去・廃棄した日", example="2026/3/31"),
        _C("実施者", "done_by", help="実施した者の氏名", example="高橋 三郎"),
        _C("立会者", "witness", help="立ち会った市職員の氏名", example="日野 太郎"),
    ),
    purpose="返還・消去・廃棄の記録（様式第1号）。",
    key=(CONTRACT_ID, SUBCONTRACTOR_NAME, "資料名", "実施日"),
    forms=(1,),
)

REPORT = Sheet(
    "報告",
    (
        _C(CONTRACT_ID, "contract_id", required=True, example="R7-001"),
        _C(SUBCONTRACTOR_NAME, "subcontractor", help="再委託先の報告のみ、その名称"),
        _C("様式", "form", Kind.CHOICE, True, ("4", "5"), "4 または 5", "4"),
        _C(
            "時期",
            "timing",
            Kind.CHOICE,
            True,
            TIMING_MARKS,
            "①契約締結時 ②年度切替時 ③契約終了時",
            "①",
        ),
        _C(
            "年度",
            "fiscal_year",
            Kind.FISCAL_YEAR,
            help="②のみ: 4月1日に始まる年度（2026 または 令和8年度）",
            example="2026",
        ),
        _C(
            "項目番号",
            "item_no",
            Kind.NUMBER_TEXT,
            True,
            help="確認項目の番号（「確認項目」シートの番号）",
            example="1",
        ),
        _C(
            "確認項目",
            "",
            help="項目の文言（参考。読み込みません）",
            filled_by=Filler.REFERENCE,
        ),
        _C(
            "回答",
            "answer",
            Kind.CHOICE,
            choices=ANSWERS,
            help="はい・いいえ・該当なし",
            example="はい",
        ),
        _C("備考", "note", help="補足があれば", example=""),
    ),
    purpose="様式第4号・第5号の確認項目への回答（任意。空欄の項目は手書き用の空欄で印刷）。",
    key=(CONTRACT_ID, SUBCONTRACTOR_NAME, "様式", "時期", "年度", "項目番号"),
    forms=(4, 5),
)

ADJUSTMENT_ACTIONS = ("削除", "変更", "追加")
ADJUSTABLE_FORMS = ("3", "4", "5")

ADJUSTMENT = Sheet(
    "項目調整",
    (
        _C(CONTRACT_ID, "contract_id", required=True, help="どの契約の様式か", example="R7-001"),
        _C(
            "様式",
            "form",
            Kind.CHOICE,
            True,
            ADJUSTABLE_FORMS,
            "確認項目を調整する様式: 3・4・5",
            "4",
        ),
        _C(
            "項目番号",
            "item_no",
            Kind.NUMBER_TEXT,
            help="削除・変更する項目の番号（様式の標準の番号。追加は空欄）",
            example="23",
        ),
        _C(
            "操作",
            "action",
            Kind.CHOICE,
            True,
            ADJUSTMENT_ACTIONS,
            "削除・変更・追加",
            "変更",
        ),
        _C("文言", "text", help="変更・追加する項目の文言（削除は空欄）", example=""),
        _C(
            "該当項",
            "section",
            help="追加する項目が根拠とする遵守事項の項（例: 10(2)）",
            example="",
        ),
    ),
    purpose="契約ごとの確認項目の加除修正（遵守事項15(2)。様式第3号・第4号・第5号）。市の担当課が記入します。",
    filled_by=Filler.CITY,
    key=(CONTRACT_ID, "様式", "項目番号", "操作", "文言"),
    forms=(3, 4, 5),
)

SHEETS: tuple[Sheet, ...] = (CONTRACT, STAFF, TRAINING, SUBCONTRACT, DISPOSAL, REPORT, ADJUSTMENT)
SHEETS_BY_NAME = {s.name: s for s in SHEETS}
# Sheets of a workbook that the reader skips: instructions and references made by ``init``.
IGNORED_SHEETS = ("記入方法", "記入例", "確認項目一覧")
