"""`templates check`: what a city staff member sees after editing a template."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from hino_forms.cli import app
from hino_forms.forms.lint import check_directory

SHIPPED = Path(__file__).resolve().parent.parent / "hino_forms" / "resources" / "templates"


def run(*args: str):
    return CliRunner().invoke(app, ["templates", "check", *args])


def edited(tmp_path: Path, name: str, *paragraphs: str, footer: str = "") -> Path:
    doc = Document(SHIPPED / name)
    for text in paragraphs:
        doc.add_paragraph(text)
    if footer:
        doc.sections[0].footer.paragraphs[0].add_run(footer)
    doc.save(tmp_path / name)
    return tmp_path


def test_shipped_templates_are_clean():
    result = run()
    assert result.exit_code == 0, result.output
    assert "問題ありません" in result.output and "cover.docx" in result.output


def test_copy_of_shipped_templates_is_clean(tmp_path):
    for name in ("form4.docx", "cover.docx"):
        (tmp_path / name).write_bytes((SHIPPED / name).read_bytes())
    result = run(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "2 テンプレート" in result.output


def test_unknown_variable_and_attributes_are_named(tmp_path):
    edited(
        tmp_path,
        "form2.docx",
        "{{ contract.nonexistent }} {{ bogus }}",
        "{% for s in staff %}{{ s.nam }}{% endfor %}",
        "{% if is_subcontractor %}{{ subcontractor.adress }}{% endif %}",
        "{{ contract.officer.name }} {{ submitter.person }}",
    )  # these two exist
    result = run(str(tmp_path))
    assert result.exit_code == 1
    out = result.output
    assert "form2.docx: 変数「bogus」" in out
    assert "「contract.nonexistent」はありません" in out
    assert "「s.nam」はありません" in out
    assert "「subcontractor.adress」はありません" in out  # found on the branch not taken too
    assert "contract.officer" not in out and "submitter.person" not in out
    assert out.count("はありません（") == 3


def test_syntax_error_in_footer_shows_docx_context(tmp_path):
    edited(tmp_path, "form3.docx", footer="{% if x %}")
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert "form3.docx（フッター /word/footer1.xml）: Jinja の構文エラー" in result.output
    assert "    | {{ footer_id }}" in result.output  # the line, tags stripped as docxtpl does


def test_syntax_error_in_body(tmp_path):
    edited(tmp_path, "cover.docx", "{{ contract.work_name }")
    _, issues = check_directory(tmp_path)
    assert [i.kind for i in issues] == ["syntax"]
    assert issues[0].template == "cover.docx" and "本文" in issues[0].message


def test_misnamed_template_is_reported(tmp_path):
    (tmp_path / "form_4.docx").write_bytes((SHIPPED / "form4.docx").read_bytes())
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert "form_4.docx: このファイル名のテンプレートは使われません" in result.output


def test_missing_folder_is_an_error_with_exit_2(tmp_path):
    from hino_forms.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["templates", "check", str(tmp_path / "nothing")])
    assert exit_info.value.code == 2
