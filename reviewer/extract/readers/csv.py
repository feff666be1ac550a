"""CSV → Grid: comma- or semicolon-separated (sniffed), quoted fields may hold newlines."""

from __future__ import annotations

import csv
import io

from reviewer.extract.readers.encoding import decode
from reviewer.models import Cell, Grid, GridRow, Location

_DELIMITERS = (",", ";", "\t", "|")


def read_csv(data: bytes, name: str) -> Grid:
    text = decode(data, name)
    delimiter = sniff_delimiter(text)
    rows: list[GridRow] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    for number, record in enumerate(reader, start=1):
        if not any(field.strip() for field in record):
            record = []  # a blank record separates tables, like a blank line
        rows.append(
            GridRow(
                cells=[
                    Cell(text=field.strip(), location=Location(source=name, row=number, col=c))
                    for c, field in enumerate(record, start=1)
                ],
                location=Location(source=name, row=number),
            )
        )
    return Grid(source=name, rows=rows, format="csv")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the most consistent rows."""
    sample = "\n".join(text.split("\n")[:200])
    best, best_score = ",", 0.0
    for delimiter in _DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        widths = [len(r) for r in records if len(r) > 1]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        # Rows that split, weighted by how many share the commonest width.
        score = len(widths) + widths.count(modal) + 0.01 * modal
        if score > best_score:
            best, best_score = delimiter, score
    return best
