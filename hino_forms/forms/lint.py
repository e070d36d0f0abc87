"""Lint docxtpl templates: Jinja syntax, unsafe expressions, variables the builders do not provide.

Four checks per template (form1.docx … form7.docx, cover.docx):
1. every part that holds tags (body, headers, footers, footnotes, document properties)
   compiles — docxtpl's patch_xml first, so the line context is the one docxtpl's
   ``TemplateError.docx_context`` shows;
2. no expression reaches into Python's internals (``cycler.__init__.__globals__``,
   ``x|attr("__class__")``): found on the AST, reported, never evaluated — a template
   with one is not rendered at all, not even in the sandbox;
3. docxtpl's ``get_undeclared_template_variables`` against the keys the context
   builder returns for a fictional example contract;
4. attribute chains (``contract.nonexistent``, ``s.nam`` inside ``{% for s in staff %}``)
   checked against the example context objects, on every branch, by walking the
   Jinja AST; and a render of each example with StrictUndefined, in the same
   sandboxed environment as the forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from docx.opc.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
)

from hino_forms import resources
from hino_forms.forms import contexts
from hino_forms.forms.contexts import Settings
from hino_forms.forms.cover import Cover, CoverEntry, SeparateBundle
from hino_forms.forms.prepared import CORE_PROPERTIES, compile_xml
from hino_forms.forms.render import make_environment
from hino_forms.models import (
    Answer,
    Contract,
    Disposal,
    Form,
    Person,
    Records,
    StaffMember,
    Subcontractor,
    Submission,
    Submitter,
    Timing,
    Training,
)

TEMPLATE_NAMES = resources.TEMPLATE_NAMES
# Attribute names the sandbox refuses on any object (besides every name starting with "_").
_UNSAFE_NAMES = frozenset(
    {"mro"}
    | UNSAFE_GENERATOR_ATTRIBUTES
    | UNSAFE_COROUTINE_ATTRIBUTES
    | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES
)
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


@dataclass(frozen=True)
class TemplateIssue:
    """One finding: which template, what kind (syntax / unsafe / variable / attribute / render), the message."""

    template: str
    kind: str
    message: str
    context: tuple[str, ...] = ()


class _Unknown:
    """A value the checker cannot know (a filter's result, an empty list's element)."""


UNKNOWN = _Unknown()


# ---------------------------------------------------------------- example data (fictional, §11)


def example_records() -> Records:
    """A fictional contract with every feature on, so every template branch has data."""
    cid = "EX-001"
    contract = Contract(
        contract_id=cid,
        work_name="架空例示業務委託",
        department="例示課",
        contractor_name="株式会社例示架空",
        contractor_address="東京都日野市架空町9-9-9",
        representative="代表取締役 例示 太郎",
        concluded=date(2025, 3, 25),
        start=date(2025, 4, 1),
        end=date(2027, 3, 31),
        confidentiality=3,
        my_number=True,
        stores_important=True,
        subcontracting=True,
        system_development=True,
        officer=Person("例示 一郎", "部長", "042-000-0000"),
        deputy=Person("例示 二郎", "課長", "042-000-0001"),
        workplace="架空庁舎",
    )
    subcontractor = Subcontractor(
        contract_id=cid,
        name="有限会社例示下請",
        address="東京都日野市架空町8-8-8",
        representative="代表 例示 花子",
        work="入力",
        reason="繁忙期",
        confidentiality=3,
        my_number=True,
        stores_important=True,
        officer_name="例示 三郎",
        applied=date(2025, 3, 26),
        approved=date(2025, 3, 28),
        approval_no="例第1号",
    )
    people = []
    trainings = []
    disposals = []
    for owner in ("", subcontractor.name):
        people.append(
            StaffMember(
                contract_id=cid,
                subcontractor=owner,
                name="例示 四郎",
                handles_important=True,
                trained_on=date(2025, 3, 1),
            )
        )
        trainings.append(
            Training(
                contract_id=cid,
                subcontractor=owner,
                title="研修",
                held_on=date(2025, 3, 1),
                content="守秘義務",
            )
        )
        disposals.append(
            Disposal(
                contract_id=cid,
                subcontractor=owner,
                item="控え",
                method="廃棄",
                done_on=date(2027, 3, 31),
            )
        )
    answers = tuple(
        Answer(contract_id=cid, form=f, timing=Timing.CONCLUSION, item_no="1", answer="はい")
        for f in (Form.IMPORTANT_INFO_REPORT, Form.MY_NUMBER_REPORT)
    )
    return Records(
        contracts=(contract,),
        subcontractors=(subcontractor,),
        staff=tuple(people),
        trainings=tuple(trainings),
        disposals=tuple(disposals),
        answers=answers,
    )


def example_submissions(number: int) -> list[Submission]:
    """The variants of one form for the example contract (contractor and subcontractor)."""
    cid, subcontractor_name = "EX-001", "有限会社例示下請"
    form = Form(number)
    if form == 7:
        return [
            Submission(
                contract_id=cid,
                form=form,
                timing=Timing.CONCLUSION,
                date=date(2025, 3, 28),
                submitter=Submitter.CITY,
                subcontractor=subcontractor_name,
            )
        ]
    if form == 6:
        return [
            Submission(
                contract_id=cid,
                form=form,
                timing=Timing.CONCLUSION,
                date=date(2025, 3, 26),
                subcontractor=subcontractor_name,
            )
        ]
    timings = [Timing.END] if form == 1 else [Timing.CONCLUSION]
    if form in (4, 5):
        timings = [Timing.CONCLUSION, Timing.FISCAL_YEAR, Timing.END]
    out = []
    for timing in timings:
        fy = 2026 if timing is Timing.FISCAL_YEAR else None
        day = {
            Timing.CONCLUSION: date(2025, 3, 25),
            Timing.FISCAL_YEAR: date(2026, 4, 1),
            Timing.END: date(2027, 3, 31),
        }[timing]
        out.append(Submission(contract_id=cid, form=form, timing=timing, date=day, fiscal_year=fy))
        out.append(
            Submission(
                contract_id=cid,
                form=form,
                timing=timing,
                date=day,
                fiscal_year=fy,
                submitter=Submitter.SUBCONTRACTOR,
                subcontractor=subcontractor_name,
            )
        )
    return out


def example_contexts(name: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every example context of template ``name`` (form3.docx, cover.docx …)."""
    settings = settings or Settings()
    records = example_records()
    if name == "cover.docx":
        entry = CoverEntry("様式第2号", "委託業務従事者体制届出書", 2, pages=1)
        cover = Cover(
            records.contracts[0],
            Timing.FISCAL_YEAR,
            date(2026, 4, 1),
            2026,
            "受託者",
            (CoverEntry("様式第4号-②", "重要情報の保護に関する報告書", 2, pages=2),),
            separate=(SeparateBundle("例示の再委託先", (entry,)),),
        )
        city = replace(cover, submitter=Submitter.CITY, separate=())
        return [contexts.cover(cover, settings), contexts.cover(city, settings)]
    form = int(name.removeprefix("form").removesuffix(".docx"))
    env = contexts.FormEnv(settings)
    return [contexts.BUILDERS[s.form](s, records, env) for s in example_submissions(form)]


# ---------------------------------------------------------------- the checks


def _parts(path: Path) -> Iterator[tuple[str, str]]:
    """(part name, patched XML or text) of every part docxtpl renders, in the order it does."""
    tpl = DocxTemplate(path)
    tpl.init_docx()
    yield "本文", tpl.patch_xml(tpl.get_xml())
    for uri, label in ((tpl.HEADER_URI, "ヘッダー"), (tpl.FOOTER_URI, "フッター")):
        for _key, part in tpl.get_headers_footers(uri):
            yield f"{label} {part.partname}", tpl.patch_xml(tpl.xml_to_string(parse_xml(part.blob)))
    for part in tpl.docx.part.package.parts:
        if part.content_type == _FOOTNOTES:
            yield f"脚注 {part.partname}", tpl.patch_xml(part.blob.decode("utf-8"))
    core = tpl.docx.core_properties
    for prop in CORE_PROPERTIES:
        value = getattr(core, prop) or ""
        if "{" in value:
            yield f"文書のプロパティ {prop}", value


def _unsafe(name: str, part: str, tree: nodes.Template) -> list[TemplateIssue]:
    """Expressions the sandbox would refuse, found without evaluating anything."""
    found: list[TemplateIssue] = []
    inside_reported: set[int] = set()  # one report per expression, for its outermost unsafe step
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if id(node) in inside_reported:
            continue
        if isinstance(node, nodes.Getattr):
            key: object = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            key = node.arg.value
        elif (
            isinstance(node, nodes.Filter)
            and node.name == "attr"
            and node.args
            and isinstance(node.args[0], nodes.Const)
        ):
            key = node.args[0].value
        else:
            continue
        if isinstance(key, str) and (key.startswith("_") or key in _UNSAFE_NAMES):
            inside_reported.update(id(n) for n in node.find_all(nodes.Node))
            found.append(
                TemplateIssue(
                    name,
                    "unsafe",
                    f"{name}（{part}）: 安全でない式「{_chain(node)}」があります。"
                    "Python の内部に触れる式（「_」で始まる名前など）はテンプレートに書けません。"
                    "この式を消してください。",
                )
            )
    return found


def _chain(node: nodes.Node) -> str:
    """The dotted text of an expression (``cycler.__init__.__globals__``) as far as it is a chain."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_chain(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        key = node.arg.value if isinstance(node.arg, nodes.Const) else "…"
        return f"{_chain(node.node)}[{key!r}]"
    if isinstance(node, nodes.Filter):
        arg = node.args[0].value if node.args and isinstance(node.args[0], nodes.Const) else "…"
        return f"{_chain(node.node) if node.node is not None else '…'}|{node.name}({arg!r})"
    return "…"


def check_template(path: Path, name: str | None = None) -> list[TemplateIssue]:
    """All issues of one template file (named as the renderer uses it: form3.docx …)."""
    name = name or path.name
    env = make_environment()
    issues: list[TemplateIssue] = []
    try:
        parts = list(_parts(path))
    except Exception as exc:  # not a Word file at all
        return [TemplateIssue(name, "file", f"{name}: Word ファイルとして読めません（{exc}）。")]
    sources = []
    unsafe: list[TemplateIssue] = []
    for part, xml in parts:
        try:
            compile_xml(env, xml)
        except TemplateError as exc:
            lineno = getattr(exc, "lineno", None)
            issues.append(
                TemplateIssue(
                    name,
                    "syntax",
                    f"{name}（{part}）: Jinja の構文エラー"
                    f"{f'（{lineno}行目付近）' if lineno else ''}: {exc.message or exc}",
                    tuple(line for line in getattr(exc, "docx_context", []) if line.strip()),
                )
            )
            continue
        sources.append(xml)
        unsafe += _unsafe(name, part, env.parse(xml))
    if issues or unsafe:
        return issues + unsafe
    examples = example_contexts(name)
    provided = set().union(*(ctx.keys() for ctx in examples))
    undeclared = DocxTemplate(path).get_undeclared_template_variables(env)
    for var in sorted(undeclared - provided):
        issues.append(
            TemplateIssue(
                name,
                "variable",
                f"{name}: 変数「{var}」はこのテンプレートのデータにありません"
                f"（使える変数: {', '.join(sorted(provided))}）。",
            )
        )
    seen: set[str] = set()
    for xml in sources:
        tree = env.parse(xml)
        for ctx in examples:
            for chain, missing in _attribute_issues(tree, ctx):
                if chain not in seen:
                    seen.add(chain)
                    issues.append(
                        TemplateIssue(
                            name,
                            "attribute",
                            f"{name}: 「{chain}」はありません（「{missing}」という項目がありません）。",
                        )
                    )
    if not issues:
        issues += _strict_render(path, name, examples)
    return issues


def _strict_render(path: Path, name: str, examples: list[dict[str, Any]]) -> list[TemplateIssue]:
    """Render each example with StrictUndefined: catches what the AST walk cannot see."""
    strict = make_environment(undefined=StrictUndefined)
    out = []
    for ctx in examples:
        try:
            DocxTemplate(path).render(ctx, strict, autoescape=True)
        except SecurityError as exc:  # what the AST walk could not see; the sandbox stopped it
            out.append(
                TemplateIssue(
                    name,
                    "unsafe",
                    f"{name}: 安全でない式があります（{exc}）。この式を消してください。",
                )
            )
            break
        except (UndefinedError, TemplateError, TypeError, ValueError) as exc:
            out.append(
                TemplateIssue(
                    name, "render", f"{name}: 例示データで差し込みに失敗しました（{exc}）。"
                )
            )
            break
    return out


def _attribute_issues(tree: nodes.Template, ctx: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    _visit(tree, dict(ctx), found)
    return found


def _lookup(obj: Any, attr: Any) -> Any:
    """Jinja's getattr-then-getitem, or KeyError."""
    if isinstance(obj, dict):
        if attr in obj:
            return obj[attr]
        raise KeyError(attr)
    if isinstance(attr, str) and hasattr(obj, attr):
        return getattr(obj, attr)
    try:
        return obj[attr]
    except (TypeError, LookupError, AttributeError):
        raise KeyError(attr) from None


def _resolve(
    node: nodes.Node, scope: dict[str, Any], found: list[tuple[str, str]]
) -> tuple[Any, str]:
    """(value or UNKNOWN, dotted text) of a Name/Getattr/Getitem chain."""
    if isinstance(node, nodes.Name):
        return scope.get(node.name, UNKNOWN), node.name
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        base, text = _resolve(node.node, scope, found)
        if isinstance(node, nodes.Getattr):
            key: Any = node.attr
        elif isinstance(node.arg, nodes.Const):
            key = node.arg.value
        else:
            _visit(node.arg, scope, found)
            return UNKNOWN, f"{text}[…]"
        text = f"{text}.{key}"
        if base is UNKNOWN or base is None:
            return UNKNOWN, text
        try:
            return _lookup(base, key), text
        except KeyError:
            found.append((text, str(key)))
            return UNKNOWN, text
    _visit(node, scope, found)
    return UNKNOWN, "…"


def _visit(node: nodes.Node, scope: dict[str, Any], found: list[tuple[str, str]]) -> None:
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        _resolve(node, scope, found)
        return
    if isinstance(node, nodes.For):
        items, _ = _resolve(node.iter, scope, found)
        first = items[0] if isinstance(items, (list, tuple)) and items else UNKNOWN
        inner = dict(scope, loop=UNKNOWN)
        for target in (
            node.target.find_all(nodes.Name)
            if not isinstance(node.target, nodes.Name)
            else [node.target]
        ):
            inner[target.name] = first if isinstance(node.target, nodes.Name) else UNKNOWN
        if node.test is not None:
            _visit(node.test, inner, found)
        for child in node.body:
            _visit(child, inner, found)
        for child in node.else_:
            _visit(child, scope, found)
        return
    if isinstance(node, (nodes.Assign, nodes.With, nodes.Macro, nodes.CallBlock)):
        # Local names: unknown values, but their uses are still walked.
        inner = dict(scope)
        for target in node.find_all(nodes.Name):
            if target.ctx in ("store", "param"):
                inner[target.name] = UNKNOWN
        scope = inner
    for child in node.iter_child_nodes():
        _visit(child, scope, found)


def check_directory(directory: Path | None = None) -> tuple[list[str], list[TemplateIssue]]:
    """Check the templates of ``directory`` (default: the shipped ones); (checked names, issues).

    A .docx in ``directory`` whose name the renderer does not use is an issue too:
    the renderer would silently ignore it.
    """
    issues: list[TemplateIssue] = []
    checked: list[str] = []
    if directory is None:
        targets = [(resources.template(n), n) for n in TEMPLATE_NAMES]
    else:
        targets = [(directory / n, n) for n in TEMPLATE_NAMES if (directory / n).is_file()]
        for extra in sorted(directory.glob("*.docx")):
            if extra.name not in TEMPLATE_NAMES and not extra.name.startswith("~$"):
                issues.append(
                    TemplateIssue(
                        extra.name,
                        "name",
                        f"{extra.name}: このファイル名のテンプレートは使われません"
                        f"（使われる名前: {', '.join(TEMPLATE_NAMES)}）。",
                    )
                )
    for path, name in targets:
        checked.append(name)
        issues.extend(check_template(path, name))
    return checked, issues
