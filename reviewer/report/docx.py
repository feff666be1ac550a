"""Reviews → 审核意见.docx: per table a heading, its comments grouped 产出 / 效益 /
满意度 / 其他 in that order, and the verdict.

python-docx makes the package (styles, A4 page, properties); the body streams to
a spool file as paragraphs of WordprocessingML and is spliced in on close, since
python-docx slows down quadratically once a document holds thousands of paragraphs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reviewer.models import Finding, Review, TableReview
from reviewer.report import (
    KIND_LABELS, VERDICTS, AtomicOutput, ReviewItems, spool, table_amount, table_unit, write_all,
)

GROUPS: tuple[str, ...] = ("产出指标", "效益指标", "满意度指标", "其他问题")
CHINESE_NUMERALS = "一二三四五六七八九十"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_OUTPUT_LEVEL2 = ("数量", "质量", "时效", "成本")
# zlib level of every part: 3 deflates the body twice as fast as the default 6 (as review.xlsx
# does); the file is about twice the size, still a few hundred bytes a table.
DEFLATE_LEVEL = 3


def comment_group(finding: Finding | None) -> str:
    """Which part of the opinion a finding belongs to, from its indicator path or category."""
    if finding is None:
        return GROUPS[3]
    parts = (finding.location or "").split(">", 2)
    return _group(parts[0].strip(), parts[1].strip() if len(parts) > 1 else "", finding.category)


@lru_cache(maxsize=1024)
def _group(level1: str, level2: str, category: str) -> str:
    """comment_group of a finding at (一级, 二级): tables repeat few such pairs."""
    if "满意" in level1 or "满意" in level2:
        return GROUPS[2]
    if any(w in level1 for w in ("效益", "效果", "影响")):
        return GROUPS[1]
    if any(w in level1 for w in ("产出", "成本")) or level2.startswith(_OUTPUT_LEVEL2):
        return GROUPS[0]
    if category == "cost_inconsistency":
        return GROUPS[0]
    return GROUPS[3]


def grouped_comments(tr: TableReview) -> dict[str, list[str]]:
    """The table's comment texts by group; a finding no comment covers speaks by its message."""
    findings = {f.id: f for f in tr.findings}
    groups: dict[str, list[str]] = {g: [] for g in GROUPS}
    covered: set[str] = set()
    for c in tr.comments:
        first = next((findings[i] for i in c.finding_ids if i in findings), None)
        groups[comment_group(first)].append(c.text)
        covered.update(c.finding_ids)
    for f in tr.findings:
        if f.id not in covered:
            groups[comment_group(f)].append(f.message)
    return groups


_NEEDS_CLEANING = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    if value.isprintable():  # no control character: cheaper to test than the regex
        return escape(value)
    return escape(_XML_ILLEGAL.sub("", value)) if _NEEDS_CLEANING.search(value) else value


def _run(text: str, bold: bool = False, clean: bool = False) -> str:
    """A run of `text`; `clean`: the text is known to hold nothing to escape or drop."""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text if clean else _text(text)}</w:t></w:r>'


def _p(*runs: str, style: str | None = None, indent: bool = False) -> str:
    ppr = ""
    if style or indent:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "")
        ppr += '<w:ind w:firstLineChars="200" w:firstLine="420"/>' if indent else ""
        ppr += "</w:pPr>"
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


class DocxWriter:
    def __init__(self, path: str | Path, title: str = "审核意见"):
        self.out = AtomicOutput(path, ".docx")
        self.title = title
        self.body = spool()
        self.n_tables = 0
        self.files = 0
        self.verdicts: Counter[str] = Counter()
        self.errors: list[tuple[str, str]] = []

    def add(self, file: str, review: Review) -> None:
        self.files += 1
        for tr in review.tables:
            self.n_tables += 1
            self.verdicts[tr.verdict] += 1
            self.body.write(self._table(file, tr))

    def _table(self, file: str, tr: TableReview) -> str:
        unit = table_unit(tr)
        kind = KIND_LABELS.get(tr.kind, tr.kind)
        groups = [(g, texts) for g, texts in grouped_comments(tr).items() if texts]
        # One test of all the table's text instead of one per run: few tables hold anything
        # to escape or drop (then every run is cleaned as before).
        text = "".join([file, unit, kind, tr.title, tr.verdict, *(t for _, texts in groups for t in texts)])
        clean = text.isprintable() and "&" not in text and "<" not in text and ">" not in text
        out = [_p(_run(f"{self.n_tables}. {tr.title or '（无标题）'}", clean=clean), style="Heading2")]
        facts = [f"文件：{file}", f"类型：{kind}"]
        if unit:
            facts.append(f"单位：{unit}")
        if (amount := table_amount(tr)) is not None:
            facts.append(f"本年度金额：{amount:g} 万元")
        out.append(_p(_run("；".join(facts), clean=clean)))
        if not groups:
            out.append(_p(_run("未发现需要修改的问题。", clean=True), indent=True))
        for gi, (group, texts) in enumerate(groups):
            out.append(_p(_run(f"{CHINESE_NUMERALS[gi]}、{group}", bold=True, clean=True)))
            out.extend(_p(_run(f"{n}. {text}", clean=clean), indent=True) for n, text in enumerate(texts, 1))
        out.append(_p(_run("审核结论：", bold=True, clean=True), _run(tr.verdict, bold=True, clean=clean)))
        return "".join(out)

    def add_error(self, file: str, message: str) -> None:
        self.files += 1
        self.errors.append((file, message))

    def _package(self) -> tuple[bytes, str, str]:
        """The python-docx package, and its document.xml split around the body."""
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        doc = Document()
        doc.core_properties.title = self.title
        normal = doc.styles["Normal"]
        normal.font.size = Pt(12)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        for s in ("Title", "Heading 2"):
            doc.styles[s].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        buf = io.BytesIO()
        doc.save(buf)
        xml = zipfile.ZipFile(buf).read("word/document.xml").decode("utf-8")
        start = xml.index("<w:body>") + len("<w:body>")
        end = xml.index("<w:sectPr")
        return buf.getvalue(), xml[:start], xml[end:]

    def _front(self) -> str:
        out = [_p(_run(self.title), style="Title")]
        summary = (f"共审核 {self.files} 个文件、{self.n_tables} 张表："
                   + "，".join(f"{v} {self.verdicts[v]} 张" for v in VERDICTS) + "。")
        if self.errors:
            summary += f"另有 {len(self.errors)} 个文件未能读取，见文末。"
        out.append(_p(_run(summary), indent=True))
        return "".join(out)

    def _back(self) -> str:
        if not self.errors:
            return ""
        out = [_p(_run("未能审核的文件"), style="Heading2")]
        out.extend(_p(_run(f"{file}：{message}")) for file, message in self.errors)
        return "".join(out)

    def close(self) -> Path | None:
        try:
            package, head, tail = self._package()
            with zipfile.ZipFile(io.BytesIO(package)) as src, \
                    zipfile.ZipFile(self.out.tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL) as dst:
                for item in src.infolist():
                    if item.filename != "word/document.xml":
                        dst.writestr(item, src.read(item.filename), compresslevel=DEFLATE_LEVEL)
                        continue
                    with dst.open("word/document.xml", "w") as w:
                        w.write((head + self._front()).encode("utf-8"))
                        self.body.copy_to(w)
                        w.write((self._back() + tail).encode("utf-8"))
        except BaseException:
            self.out.discard()
            raise
        finally:
            self.body.close()
        return self.out.commit()


def write_docx(items: ReviewItems, path: str | Path, errors=()) -> Path | None:
    """Write the 审核意见 of one review, or several (file, review) pairs, to `path`."""
    return write_all(DocxWriter(path), items, errors)
