"""The brief as a Word document (python-docx), laid out as a government office expects (GB/T 9704).

A4 with 37/35/28/26 mm margins; title 22 pt 方正小标宋简体; headings 16 pt 黑体 (一、) and 楷体 (（一）);
body 16 pt 仿宋_GB2312 with a two-character first-line indent and 28 pt line spacing; page numbers
"— 1 —" in 14 pt at the foot. Tables use a smaller size so they fit the 156 mm text block.
Government PCs have those fonts; elsewhere the east-Asian font name is kept in the file and the
viewer substitutes (LibreOffice through the project's fontconfig aliases, see app/briefs/pdf.py).
The east-Asian font must be set on every run (`w:eastAsia`), or Word falls back to a Latin font.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.run import Run

from app.briefs import wording as w
from app.briefs.content import BriefContent, Cell, Chart, Column, ColumnKind, Paragraph, Section, Table

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
TITLE_PT, BODY_PT, TABLE_PT, PAGE_NUMBER_PT = 22, 16, 8, 14
TEXT_WIDTH_MM = 156
CELL_MARGIN_TWIPS = 57  # 1 mm
LINE_PT = 28
CHART_WIDTH_MM = 150
ChartRenderer = Callable[[Chart], bytes]


def write_docx(content: BriefContent, path: Path, *, render_chart: ChartRenderer) -> None:
    """Write the brief to `path` (.docx)."""
    document = Document()
    _page(document)
    _styles(document)
    _title_block(document, content)
    for section in content.sections:
        _section(document, section, level=1, render_chart=render_chart)
    document.core_properties.title = content.title + content.subtitle
    document.core_properties.author = content.issuer
    document.save(str(path))


def _page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), BODY_FONT, PAGE_NUMBER_PT)
    _page_field(paragraph)
    _font(paragraph.add_run(" —"), BODY_FONT, PAGE_NUMBER_PT)


def _page_field(paragraph: object) -> None:
    run = paragraph.add_run()  # type: ignore[attr-defined]
    _font(run, LATIN_FONT, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = "PAGE"
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _styles(document: DocxDocument) -> None:
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        style = document.styles[name]
        style.font.name = LATIN_FONT
        style.font.size = Pt(BODY_PT)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        style.paragraph_format.line_spacing = Pt(LINE_PT)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        style.paragraph_format.keep_with_next = True


def _font(run: Run, east_asian: str, size: float, *, bold: bool = False) -> Run:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    return run


def _title_block(document: DocxDocument, content: BriefContent) -> None:
    for text in (content.title, content.subtitle):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = Pt(36)
        _font(paragraph.add_run(text), TITLE_FONT if text == content.title else BODY_FONT,
              TITLE_PT if text == content.title else BODY_PT)  # fmt: skip
    line = document.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(line.add_run(f"{content.issuer}　　{content.date_text}"), BODY_FONT, BODY_PT)


def _body(document: DocxDocument, text: str, *, lead: str = "") -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if lead:
        _font(paragraph.add_run(lead), BODY_FONT, BODY_PT, bold=True)
    _font(paragraph.add_run(text), BODY_FONT, BODY_PT)


def _section(document: DocxDocument, section: Section, *, level: int, render_chart: ChartRenderer) -> None:
    heading = document.add_heading(level=level)
    _font(heading.add_run(section.heading), HEADING_FONT if level == 1 else SUBHEADING_FONT, BODY_PT)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            _body(document, block.text, lead=block.bold_lead)
        elif isinstance(block, Table):
            _table(document, block)
        else:
            _chart(document, block, render_chart)
    for sub in section.subsections:
        _section(document, sub, level=2, render_chart=render_chart)


def _chart(document: DocxDocument, chart: Chart, render_chart: ChartRenderer) -> None:
    document.add_picture(io.BytesIO(render_chart(chart)), width=Mm(CHART_WIDTH_MM))
    picture = document.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the body's exact 28 pt line spacing would clip an inline picture to one line
    picture.paragraph_format.line_spacing = 1.0
    picture.paragraph_format.first_line_indent = Pt(0)
    picture.paragraph_format.keep_with_next = True
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(caption.add_run(chart.title), HEADING_FONT, 12)


def _table(document: DocxDocument, table: Table) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    _font(caption.add_run(table.title), HEADING_FONT, 12)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _narrow_cell_margins(grid)
    total = sum(c.width for c in table.columns)
    widths = [Mm(TEXT_WIDTH_MM * c.width / total) for c in table.columns]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid (LibreOffice reads it) as well as each cell (Word does)
    for cell, column, width in zip(grid.rows[0].cells, table.columns, widths, strict=True):
        _cell(cell, column.title, bold=True, width=width)
    _repeat_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, column, value, width in zip(cells, table.columns, row, widths, strict=True):
            _cell(cell, format_cell(value, column), width=width, right=column.kind is not ColumnKind.TEXT)
    if table.note:
        note = document.add_paragraph()
        _font(note.add_run(table.note), BODY_FONT, TABLE_PT)


def _cell(cell: object, text: str, *, width: object, bold: bool = False, right: bool = False) -> None:
    cell.width = width  # type: ignore[attr-defined]
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    if bold:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), HEADING_FONT if bold else BODY_FONT, TABLE_PT)


def _narrow_cell_margins(grid: object) -> None:
    """Cell padding of about 1 mm (Word's default is 1.9 mm): 11 columns must fit 156 mm."""
    properties = grid._tbl.tblPr  # type: ignore[attr-defined]
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    properties.append(margins)


def _repeat_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def format_cell(value: Cell, column: Column) -> str:
    """A table cell as text, by its column's kind (the docx and the PDF show the same text)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if column.kind is ColumnKind.PERCENT:
        return w.percent(value)
    if column.kind is ColumnKind.POINTS:
        return w.points(value)
    if column.kind is ColumnKind.INTEGER:
        return f"{int(value)}"
    if column.kind is ColumnKind.NUMBER:
        return w.number(value)
    return str(value)
