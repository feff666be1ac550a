"""The cost rules' one-pass sort of a table's indicators gives what the plain definitions give.

`_sort_quantities` reads each indicator's unit once and files it as a unit cost and/or a
count; the plain definitions (the code before it was made fast) are restated here and
compared on the sample, the real tables and a synthetic corpus.
benchmarks/bench_checks.py --verify does the same for whole reviews against a golden file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from reviewer.checks import cost
from reviewer.checks.entities import indicator_unit
from reviewer.extract.units import unit_family
from reviewer.models import Table
from reviewer.pipeline import extract

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "eval" / "cases"


def _plain_counts(table: Table) -> list:
    out = []
    for i in table.indicators:
        value = i.target.value
        if value is not None and value > 0:
            unit = cost.count_unit(i)
            if unit and unit_family(unit) not in cost._NOT_QUANTITY:
                out.append(i)
    return out


def _plain_unit_costs(table: Table) -> list:
    out = []
    for i in table.indicators:
        unit = indicator_unit(i)
        if not unit or unit_family(unit) != "unit_cost" or not i.target.value:
            continue
        per_yuan = cost.money_in_yuan(i.target.value, unit if not unit.startswith("/") else "元" + unit)
        if per_yuan is not None and per_yuan > 0:
            out.append((i, per_yuan))
    return out


def _tables(tmp_path: Path) -> list[Table]:
    paths = [CASES / "jiyuan_housing_fund_2021.txt", *sorted((CASES / "real").glob("*.tsv"))]
    spec = importlib.util.spec_from_file_location("benchmarks_synth", ROOT / "benchmarks" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = synth
    spec.loader.exec_module(synth)
    synth.generate(tmp_path, tables=80, files=2, seed=11)
    paths += sorted(tmp_path.rglob("*.tsv"))
    return [t for p in paths for t in extract(p.read_bytes(), p.name).tables]


def test_sorted_quantities_match_the_plain_definitions(tmp_path):
    tables = _tables(tmp_path)
    with_unit_costs = 0
    for table in tables:
        sorted_ = cost._sort_quantities(table)
        assert [id(i) for i in sorted_.counts] == [id(i) for i in _plain_counts(table)]
        plain = _plain_unit_costs(table)
        assert [(id(i), y) for i, y in sorted_.unit_costs] == [(id(i), y) for i, y in plain]
        with_unit_costs += bool(plain)
    assert with_unit_costs >= 10  # the comparison saw unit costs, not only tables without them

