"""Each document's own page numbers inside a file that holds several (a Word bundle, a joined
conversion): its section restarts at 1, and a page total becomes its own page count.

A total (NUMPAGES: the whole file's pages) becomes PAGEREF to a bookmark at the document's
end: the page number there is the document's page count once its numbering restarts. Word
and LibreOffice both lay that out; Word's own SECTIONPAGES is one LibreOffice does not compute.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TOTALS = ("NUMPAGES", "SECTIONPAGES")  # the fields that mean "this document's page count"
# What follows w:pgNumType in a w:sectPr (schema order).
_AFTER_PG_NUM_TYPE = {
    f"{{{_W}}}{tag}"
    for tag in (
        "cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
        "printerSettings sectPrChange"
    ).split()
}


# Far above the ids Word gives its own bookmarks, so ours never collide with a form's.
BOOKMARK_IDS = 1 << 30


def start_bookmark(index: int, hidden: bool = False) -> str:
    """The bookmark at document ``index``'s first paragraph (a leading _ hides it in Word)."""
    return f"{'_' if hidden else ''}hinoS{index}"


def end_bookmark(index: int, hidden: bool = False) -> str:
    """The bookmark after document ``index``'s last paragraph: its page is the document's last,
    so a PAGEREF to it is the document's page count once its numbering restarts."""
    return f"{'_' if hidden else ''}hinoE{index}"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def count_own_pages(element: etree._Element, bookmark: str, pages: int | None = None) -> None:
    """Turn the page totals inside ``element`` into PAGEREF ``bookmark``; ``pages``, when known,
    becomes the shown result (for a reader that does not update fields)."""
    for simple in element.iter(_w("fldSimple")):
        words = (simple.get(_w("instr")) or "").split()
        if words and words[0].upper() in _TOTALS:
            simple.set(_w("instr"), f" PAGEREF {bookmark} ")
            _show(simple.iter(_w("t")), pages)
    for instr in element.iter(_w("instrText")):
        words = (instr.text or "").split()
        if not words or words[0].upper() not in _TOTALS:
            continue
        instr.text = f" PAGEREF {bookmark} "
        run = instr.getparent()
        shown: list[etree._Element] = []
        separated = False
        for sibling in run.itersiblings(_w("r")) if run is not None else ():
            kinds = [c.get(_w("fldCharType")) for c in sibling.iter(_w("fldChar"))]
            if "end" in kinds:
                break
            if "separate" in kinds:
                separated = True
            elif separated:
                shown += list(sibling.iter(_w("t")))
        _show(shown, pages)


def _show(texts: Iterable[etree._Element], pages: int | None) -> None:
    """Show ``pages`` as a field's result (its first text; the others emptied)."""
    if pages is None:
        return
    for n, text in enumerate(texts):
        text.text = str(pages) if n == 0 else ""


def restart_page_numbers(sect_pr: etree._Element) -> None:
    """Number the section's pages from 1 (``w:pgNumType w:start="1"``, in schema order)."""
    found = sect_pr.find(_w("pgNumType"))
    if found is None:
        found = etree.Element(_w("pgNumType"))
        follower = next((c for c in sect_pr if c.tag in _AFTER_PG_NUM_TYPE), None)
        if follower is None:
            sect_pr.append(found)
        else:
            follower.addprevious(found)
    found.set(_w("start"), "1")


def bookmark(paragraph: etree._Element, ident: int, name: str, *, at_start: bool) -> None:
    """Put the (empty) bookmark ``name`` at the start or the end of ``paragraph``."""
    start = etree.Element(_w("bookmarkStart"), {_w("id"): str(ident), _w("name"): name})
    end = etree.Element(_w("bookmarkEnd"), {_w("id"): str(ident)})
    if at_start:
        ppr = paragraph.find(_w("pPr"))
        index = 0 if ppr is None else paragraph.index(ppr) + 1
        paragraph.insert(index, start)
        paragraph.insert(index + 1, end)
    else:
        paragraph.append(start)
        paragraph.append(end)
