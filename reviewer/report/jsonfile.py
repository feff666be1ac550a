"""Reviews → review.json of a bulk run: {"files": [...], "tables": [...], "errors": [...]}.

Each entry of "tables" is a table of the findings contract (`Review.contract()`)
with "file" added. The tables stream to a spool file; files and errors are small.
"""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.models import Review
from reviewer.report import AtomicOutput, ReviewItems, spool, write_all


# json.dumps(..., ensure_ascii=False) builds a new encoder on every call; one serves every table.
_encode_table = json.JSONEncoder(ensure_ascii=False).encode


class JsonWriter:
    def __init__(self, path: str | Path):
        self.out = AtomicOutput(path, ".json")
        self.tables = spool()
        self.n_tables = 0
        self.files: list[dict] = []
        self.errors: list[dict] = []

    def add(self, file: str, review: Review) -> None:
        for tr in review.tables:
            table = _encode_table({"file": file, **tr.contract()})
            self.tables.write((",\n" if self.n_tables else "\n") + table)
            self.n_tables += 1
        entry = {"file": file, "budget_year": review.budget_year, "tables": len(review.tables),
                 "findings": sum(len(t.findings) for t in review.tables), "error": None}
        if review.usage is not None:
            entry["usage"] = review.usage.model_dump()
        self.files.append(entry)

    def add_error(self, file: str, message: str) -> None:
        self.files.append({"file": file, "budget_year": None, "tables": 0, "findings": 0, "error": message})
        self.errors.append({"file": file, "error": message})

    def close(self) -> Path | None:
        dump = lambda v: json.dumps(v, ensure_ascii=False, indent=1)  # noqa: E731
        try:
            with open(self.out.tmp, "wb") as out:
                out.write(('{\n"files": ' + dump(self.files) + ',\n"tables": [').encode("utf-8"))
                self.tables.copy_to(out)
                out.write(('\n],\n"errors": ' + dump(self.errors) + "\n}\n").encode("utf-8"))
        except BaseException:
            self.out.discard()
            raise
        finally:
            self.tables.close()
        return self.out.commit()


def write_json(items: ReviewItems, path: str | Path, errors=()) -> Path | None:
    return write_all(JsonWriter(path), items, errors)
