"""Reviews → report.html: one self-contained page (inline CSS and SVG, no script).

Totals, bar charts of findings by category and by department, an index of
tables linking to each table's findings and comments. Every piece of input
text is escaped. The index and the table sections stream to spool files; the
page is assembled on close, when the totals are known.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

from reviewer.models import Review, TableReview
from reviewer.report import (
    CATEGORY_LABELS, KIND_LABELS, SEVERITIES, SEVERITY_LABELS, VERDICTS, AtomicOutput, ReviewItems,
    location_text, severity_counts, sorted_findings, spool, suggested_comments, table_amount,
    table_unit, write_all,
)

NO_UNIT = "（未注明单位）"
MAX_BARS = 20

CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0 auto;
max-width:1200px;padding:0 1.5rem 3rem;color:#1d2733;line-height:1.55}
h1{margin:1.5rem 0 .5rem}h2{margin-top:2.2rem;border-bottom:2px solid #dde4ee;padding-bottom:.3rem}
h3{margin:.2rem 0 .4rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #dde4ee;border-radius:6px;padding:.6rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.6rem}
.charts{display:flex;flex-wrap:wrap;gap:2rem}.charts figure{margin:0;flex:1 1 480px}
figcaption{font-weight:bold;margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border:1px solid #dde4ee;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f7}td.n{text-align:right}
section{border-top:1px solid #dde4ee;padding-top:.8rem;margin-top:1.2rem}
.meta{color:#5b6776;font-size:.9rem}
.v{font-weight:bold;padding:0 .2rem;white-space:nowrap}
.v-ok{color:#1a7f37}.v-fix{color:#9a6700}.v-back{color:#c00}.v-fail{color:#c00}
.error{color:#c00;font-weight:bold}.warning{color:#9a6700}.info{color:#1f5f8b}
.src{color:#5b6776;font-size:.85rem}
"""
VERDICT_CLASS = {"通过": "v-ok", "修改后通过": "v-fix", "退回修改": "v-back"}


def _e(text: object) -> str:
    text = "" if text is None else str(text)
    # five substring tests cost less than one regex search (or a call of html.escape)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text, quote=True)
    return text


def bar_chart(items: list[tuple[str, int]], label: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return '<p class="meta">无数据。</p>'
    row, left, width, right = 24, 220, 380, 60
    top = max(n for _, n in items) or 1
    height = row * len(items) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_e(label)}" '
           f'viewBox="0 0 {left + width + right} {height}" width="100%" '
           f'style="max-width:{left + width + right}px">']
    for i, (name, n) in enumerate(items):
        y = 4 + i * row
        w = max(1, round(width * n / top)) if n else 0
        short = name if len(name) <= 16 else name[:15] + "…"
        out.append(
            f'<g><title>{_e(name)}：{n}</title>'
            f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" font-size="13">{_e(short)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w}" height="{row - 7}" fill="#4a78b5"/>'
            f'<text x="{left + w + 5}" y="{y + 16}" font-size="13">{n}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


class HtmlWriter:
    def __init__(self, path: str | Path, title: str = "绩效目标表审核报告"):
        self.out = AtomicOutput(path, ".html")
        self.title = title
        self.index = spool()
        self.sections = spool()
        self.files = 0
        self.n_tables = 0
        self.severities: Counter[str] = Counter()
        self.verdicts: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.departments: Counter[str] = Counter()
        self.errors: list[tuple[str, str]] = []

    def add(self, file: str, review: Review) -> None:
        self.files += 1
        for tr in review.tables:
            self.n_tables += 1
            self._table(file, tr, f"t{self.n_tables}")

    def _table(self, file: str, tr: TableReview, anchor: str) -> None:
        counts = severity_counts(tr.findings)
        unit = table_unit(tr)
        self.severities.update(counts)
        self.verdicts[tr.verdict] += 1
        for f in tr.findings:
            self.categories[f.category] += 1
        self.departments[unit or NO_UNIT] += len(tr.findings)
        verdict = f'<span class="v {VERDICT_CLASS.get(tr.verdict, "")}">{_e(tr.verdict)}</span>'
        title = _e(tr.title or "（无标题）")
        self.index.write(
            f'<tr><td class="n">{self.n_tables}</td><td>{_e(file)}</td><td>{_e(unit)}</td>'
            f'<td><a href="#{anchor}">{title}</a></td><td>{_e(KIND_LABELS.get(tr.kind, tr.kind))}</td>'
            f'<td>{verdict}</td>' + "".join(f'<td class="n">{counts[s]}</td>' for s in SEVERITIES)
            + "</tr>\n")
        meta = [f"文件：{_e(file)}", f"类型：{_e(KIND_LABELS.get(tr.kind, tr.kind))}"]
        if unit:
            meta.append(f"单位：{_e(unit)}")
        if (amount := table_amount(tr)) is not None:
            meta.append(f"本年度金额：{amount:g} 万元")
        out = [f'<section id="{anchor}"><h3>{self.n_tables}. {title}</h3>',
               f'<p class="meta">{"；".join(meta)}；审核结论：{verdict}</p>']
        if tr.findings:
            out.append("<table><tr><th>编号</th><th>严重程度</th><th>规则</th><th>类别</th>"
                       "<th>位置</th><th>证据</th><th>问题说明</th></tr>")
            for f in sorted_findings(tr):
                out.append(
                    f'<tr><td>{_e(f.id)}</td><td class="{f.severity}">{SEVERITY_LABELS[f.severity]}</td>'
                    f"<td>{_e(f.rule)}</td><td>{_e(CATEGORY_LABELS.get(f.category, f.category))}</td>"
                    f"<td>{_e(location_text(f))}</td><td>{_e(f.evidence)}</td><td>{_e(f.message)}</td></tr>")
            out.append("</table>")
        else:
            out.append("<p>未发现问题。</p>")
        if tr.comments:
            suggested = {id(c) for c in suggested_comments(tr)}
            out.append("<h4>审核意见</h4><ol>")
            for c in tr.comments:
                refs = "模型建议" if id(c) in suggested else "、".join(c.finding_ids)
                out.append(f'<li>{_e(c.text)} <span class="src">（{_e(refs)}）</span></li>')
            out.append("</ol>")
        out.append(' <p class="meta"><a href="#index">返回目录</a></p></section>\n')
        self.sections.write("".join(out))

    def add_error(self, file: str, message: str) -> None:
        self.files += 1
        self.errors.append((file, message))

    def _head(self) -> str:
        total = sum(self.severities.values())
        cards = [("文件", self.files), ("表格", self.n_tables), ("问题", total),
                 *((SEVERITY_LABELS[s], self.severities[s]) for s in SEVERITIES),
                 *((v, self.verdicts[v]) for v in VERDICTS)]
        if self.errors:
            cards.append(("读取失败", len(self.errors)))
        by_category = [(CATEGORY_LABELS.get(c, c), n) for c, n in self.categories.most_common()]
        departments = self.departments.most_common()
        by_department = [(d, n) for d, n in departments[:MAX_BARS] if n]
        rest = sum(n for _, n in departments[MAX_BARS:])
        if rest:
            by_department.append((f"其余 {len(departments) - MAX_BARS} 个单位", rest))
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(self.title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{_e(self.title)}</h1><div class=\"cards\">"
            + "".join(f'<div class="card"><b>{n}</b>{_e(name)}</div>' for name, n in cards)
            + '</div><div class="charts">'
            f"<figure><figcaption>问题类别分布</figcaption>{bar_chart(by_category, '问题类别分布')}</figure>"
            f"<figure><figcaption>各单位问题数</figcaption>{bar_chart(by_department, '各单位问题数')}</figure>"
            "</div>" + self._errors()
            + '<h2 id="index">表格目录</h2><table><tr><th>#</th><th>文件</th><th>单位</th><th>表格</th>'
            "<th>类型</th><th>审核结论</th>" + "".join(f"<th>{SEVERITY_LABELS[s]}</th>" for s in SEVERITIES)
            + "</tr>\n"
        )

    def _errors(self) -> str:
        if not self.errors:
            return ""
        items = "".join(f'<li>{_e(file)}：<span class="v-fail">{_e(msg)}</span></li>'
                        for file, msg in self.errors)
        return f'<h2 id="errors">未能审核的文件</h2><ul>{items}</ul>'

    def close(self) -> Path | None:
        try:
            with open(self.out.tmp, "wb") as out:
                out.write(self._head().encode("utf-8"))
                for part, after in ((self.index, "</table><h2>各表问题</h2>\n"),
                                    (self.sections, "</body></html>\n")):
                    part.copy_to(out)
                    out.write(after.encode("utf-8"))
        except BaseException:
            self.out.discard()
            raise
        finally:
            self.index.close()
            self.sections.close()
        return self.out.commit()


def write_html(items: ReviewItems, path: str | Path, errors=()) -> Path | None:
    """Write one review, or several (file, review) pairs, as a self-contained page at `path`."""
    return write_all(HtmlWriter(path), items, errors)
