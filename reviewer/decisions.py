"""The reviewer's decisions (处理意见 / 备注) read back from a review workbook.

Each finding row of review.xlsx carries a stable key made of the file, the table
title, the rule, the location and a hash of the evidence. A later run of
`reviewer bulk --decisions review.xlsx` fills the decisions of the findings that
are still there into its new workbook, and `export_cases` turns them into eval
annotations.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel

from reviewer.errors import InputError

DECISION_CHOICES: tuple[str, ...] = ("采纳", "修改", "不采纳")
# Column headers of the 问题 sheet that decisions are read by.
COL_FILE, COL_TABLE, COL_RULE, COL_CATEGORY, COL_SEVERITY = "文件", "表格", "规则", "类别", "严重程度"
COL_LOCATION, COL_EVIDENCE, COL_MESSAGE, COL_COMMENT = "位置", "证据", "问题说明", "审核意见"
COL_DECISION, COL_NOTE, COL_KEY = "处理意见", "备注", "键"
ISSUES_SHEET = "问题"


def finding_key(file: str, table: str, rule: str, location: str, evidence: str) -> str:
    """A short key that stays the same while a finding stays the same."""
    ev = hashlib.sha1((evidence or "").encode("utf-8")).hexdigest()[:12]
    raw = "\x1f".join((file or "", table or "", rule or "", location or "", ev))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


class Decision(BaseModel):
    key: str
    file: str = ""
    table: str = ""
    rule: str = ""
    category: str = ""  # the findings contract's code (missing_indicator …)
    severity: str = ""  # error | warning | info
    location: str = ""
    evidence: str = ""
    message: str = ""
    comment: str = ""
    decision: str = ""  # 采纳 / 修改 / 不采纳, or what the reviewer typed
    note: str = ""  # 备注


def read_decisions(path: str | Path) -> dict[str, Decision]:
    """Decisions from a review.xlsx, by finding key; rows with neither decision nor note are skipped."""
    from openpyxl import load_workbook

    from reviewer.report import CATEGORY_LABELS, SEVERITY_LABELS

    category_codes = {label: code for code, label in CATEGORY_LABELS.items()}
    severity_codes = {label: code for code, label in SEVERITY_LABELS.items()}
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such decisions workbook")
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a non-workbook
        raise InputError(f"{p}: not a readable .xlsx workbook ({type(e).__name__})") from None
    try:
        if ISSUES_SHEET not in wb.sheetnames:
            raise InputError(f"{p}: no sheet named {ISSUES_SHEET}; is it a workbook written by `reviewer bulk`?")
        rows = wb[ISSUES_SHEET].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        col = {name: i for i, name in enumerate(header) if name}
        missing = [c for c in (COL_DECISION, COL_NOTE) if c not in col]
        if missing or (COL_KEY not in col and not {COL_FILE, COL_TABLE, COL_RULE} <= col.keys()):
            raise InputError(f"{p}: sheet {ISSUES_SHEET} lacks the columns {', '.join(missing) or COL_KEY}")

        def get(row, name: str) -> str:
            i = col.get(name)
            v = row[i] if i is not None and i < len(row) else None
            return "" if v is None else str(v).strip()

        out: dict[str, Decision] = {}
        for row in rows:
            decision, note = get(row, COL_DECISION), get(row, COL_NOTE)
            if not decision and not note:
                continue
            category, severity = get(row, COL_CATEGORY), get(row, COL_SEVERITY)
            fields = dict(
                file=get(row, COL_FILE), table=get(row, COL_TABLE), rule=get(row, COL_RULE),
                category=category_codes.get(category, category),
                severity=severity_codes.get(severity, severity),
                location=get(row, COL_LOCATION), evidence=get(row, COL_EVIDENCE),
                message=get(row, COL_MESSAGE), comment=get(row, COL_COMMENT),
            )
            key = get(row, COL_KEY) or finding_key(
                fields["file"], fields["table"], fields["rule"], fields["location"], fields["evidence"])
            out[key] = Decision(key=key, decision=decision, note=note, **fields)
        return out
    finally:
        wb.close()


def export_cases(decisions: dict[str, Decision] | list[Decision], out_dir: str | Path) -> Path:
    """Write the decisions as eval annotations: out_dir/decisions.json, one object per finding.

    `accepted` is true for 采纳/修改 (the finding is real), false for 不采纳 (a false
    positive), null when the reviewer wrote only a note.
    """
    items = list(decisions.values()) if isinstance(decisions, dict) else list(decisions)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for d in sorted(items, key=lambda d: (d.file, d.table, d.rule, d.location)):
        accepted = True if d.decision in ("采纳", "修改") else False if d.decision == "不采纳" else None
        cases.append({**d.model_dump(), "accepted": accepted})
    path = out / "decisions.json"
    path.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
