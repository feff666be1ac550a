"""`reviewer parse --format text`: what was read, as a readable tree."""

from __future__ import annotations

from rich.console import Console
from rich.tree import Tree

from reviewer.models import Document


def render_parsed(doc: Document, console: Console | None = None) -> None:
    console = console or Console()
    console.print(f"[bold]{doc.source}[/] · {len(doc.tables)} tables · budget year {doc.budget_year or '?'}")
    for t in doc.tables:
        root = Tree(f"[bold]{t.title}[/] [dim]({t.kind}{', ' + t.framework if t.framework else ''})[/]")
        if t.header:
            h = root.add("表头")
            for k, f in t.header.items():
                h.add(f"{k}: {f.text}" + (f" [dim]= {f.amount.wan:g} 万元[/]" if f.amount else ""))
        if t.narrative:
            n = root.add("文字部分")
            for k, f in t.narrative.items():
                n.add(f"{k}: {f.text[:60]}{'…' if len(f.text) > 60 else ''}")
        if t.indicators or t.slots:
            tree = root.add("指标")
            nodes: dict[tuple, Tree] = {}

            def node(*path: str | None) -> Tree:
                if path not in nodes:
                    parent = node(*path[:-1]) if len(path) > 1 else tree
                    nodes[path] = parent.add(str(path[-1] or "（无）"))
                return nodes[path]

            for s in t.slots:
                node(s.level1, s.level2)
            for i in t.indicators:
                node(i.level1, i.level2).add(f"{i.level3} = {i.target.raw}")
        if t.kind == "budget" and t.rows:
            root.add(f"{len(t.rows)} 行 × {len(t.columns)} 列: {' | '.join(t.columns[:8])}")
        console.print(root)
