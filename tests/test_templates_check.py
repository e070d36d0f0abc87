"""`templates check`: what a city staff member sees after editing a template."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from hino_forms import resources
from hino_forms.forms.lint import check_directory


@pytest.fixture
def run(cli):
    """``hino-forms templates check ARGS``, in-process."""
    return lambda *args: cli("templates", "check", *args)


def edited(tmp_path: Path, name: str, *paragraphs: str, footer: str = "") -> Path:
    doc = Document(resources.template(name))
    for text in paragraphs:
        doc.add_paragraph(text)
    if footer:
        doc.sections[0].footer.paragraphs[0].add_run(footer)
    doc.save(tmp_path / name)
    return tmp_path


def test_shipped_templates_are_clean(run):
    result = run()
    assert result.code == 0, result.out
    assert "問題ありません" in result.out and "cover.docx" in result.out


def test_copy_of_shipped_templates_is_clean(run, tmp_path):
    for name in ("form4.docx", "cover.docx"):
        (tmp_path / name).write_bytes(resources.template(name).read_bytes())
    result = run(str(tmp_path))
    assert result.code == 0, result.out
    assert "2 テンプレート" in result.out


def test_unknown_variable_and_attributes_are_named(run, tmp_path):
    edited(
        tmp_path,
        "form2.docx",
        "{{ contract.nonexistent }} {{ bogus }}",
        "{% for s in staff %}{{ s.nam }}{% endfor %}",
        "{% if is_subcontractor %}{{ subcontractor.adress }}{% endif %}",
        "{{ contract.officer.name }} {{ submitter.person }}",
    )  # these two exist
    result = run(str(tmp_path))
    assert result.code == 1
    out = result.out
    assert "form2.docx: 変数「bogus」" in out
    assert "「contract.nonexistent」はありません" in out
    assert "「s.nam」はありません" in out
    assert "「subcontractor.adress」はありません" in out  # found on the branch not taken too
    assert "contract.officer" not in out and "submitter.person" not in out
    assert out.count("はありません（") == 3


def test_syntax_error_in_footer_shows_docx_context(run, tmp_path):
    edited(tmp_path, "form3.docx", footer="{% if x %}")
    result = run(str(tmp_path))
    assert result.code == 1
    assert "form3.docx（フッター /word/footer1.xml）: Jinja の構文エラー" in result.out
    assert "    | {{ footer_id }}" in result.out  # the line, tags stripped as docxtpl does


def test_syntax_error_in_body(tmp_path):
    edited(tmp_path, "cover.docx", "{{ contract.work_name }")
    _, issues = check_directory(tmp_path)
    assert [i.kind for i in issues] == ["syntax"]
    assert issues[0].template == "cover.docx" and "本文" in issues[0].message


def test_misnamed_template_is_reported(run, tmp_path):
    (tmp_path / "form_4.docx").write_bytes(resources.template("form4.docx").read_bytes())
    result = run(str(tmp_path))
    assert result.code == 1
    assert "form_4.docx: このファイル名のテンプレートは使われません" in result.out


def test_missing_folder_is_an_error_with_exit_2(run, tmp_path):
    result = run(tmp_path / "nothing")
    assert result.code == 2
    assert f"テンプレートのフォルダ「{tmp_path / 'nothing'}」がありません" in result.err


@pytest.mark.parametrize(
    "expression, shown",
    [
        (
            "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
            "cycler.__init__",
        ),
        ("{{ contract|attr('__class__') }}", "contract|attr('__class__')"),
        ("{% for c in ''['__class__'].mro() %}{% endfor %}", "['__class__']"),
    ],
)
def test_code_in_a_template_is_reported_not_run(run, tmp_path, monkeypatch, expression, shown):
    monkeypatch.chdir(tmp_path)
    edited(tmp_path, "form2.docx", expression)
    result = run(tmp_path)
    assert not (tmp_path / "MARKER").exists()
    assert result.code == 1
    assert "form2.docx（本文）: 安全でない式「" in result.out
    assert shown in result.out and result.out.count("安全でない式") == 1


def test_code_in_a_footer_is_reported_too(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    edited(
        tmp_path, "form6.docx", footer="{{ cycler.__init__.__globals__.os.popen('touch MARKER') }}"
    )
    result = run(tmp_path)
    assert not (tmp_path / "MARKER").exists()
    assert (
        result.code == 1 and "form6.docx（フッター /word/footer1.xml）: 安全でない式" in result.out
    )
