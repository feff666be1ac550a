"""Segmentation, fields and the indicator tree on the reference sample and the real tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.errors import InputError
from reviewer.extract import load_document
from reviewer.extract.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
REAL = ROOT / "eval" / "cases" / "real"  # the repo's copies of shared/samples/real


def load(path: Path):
    return load_document(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE)


def by_title(doc, part):
    return next(t for t in doc.tables if part in t.title)


def test_sample_tables_and_kinds(sample):
    kinds = [t.kind for t in sample.tables]
    assert kinds.count("project") == 7
    assert kinds.count("department") == 1
    assert sample.budget_year == 2021
    budget_titles = [t.title for t in sample.tables if t.kind == "budget"]
    assert "部门预算说明" in budget_titles
    assert "部门支出总体情况表" in budget_titles
    # a table printed over two pages is one table
    assert budget_titles.count("一般公共预算基本支出情况表") == 1
    basic = by_title(sample, "一般公共预算基本支出情况表")
    labels = [r.texts[2] for r in basic.rows if len(r.cells) > 2]
    assert "工资福利支出" in labels and "公务用车运行维护费" in labels and "退休费" in labels


def test_project_header_and_narrative(sample):
    t = by_title(sample, "驻村帮扶工作经费")
    assert t.framework == "henan"
    assert t.header["项目总金额"].amount.wan == 0.0
    assert t.header["项目本年度金额"].amount.wan == 5.0
    assert t.header["开始时间"].text == "2021-01-01"
    assert "卫凹村" in t.narrative["项目概况"].text
    assert "<p>" not in t.narrative["项目概况"].text
    assert "备注" not in t.narrative or t.narrative["备注"].text != "项目绩效目标"
    assert t.narrative["项目总目标"].text.startswith("完成市扶贫办")


def test_shifted_rows_keep_their_parents(sample):
    t = by_title(sample, "驻村帮扶工作经费")
    subsidy = next(i for i in t.indicators if i.level3 == "驻村人员补助标准")
    assert (subsidy.level2, subsidy.target.raw) == ("成本", "140元/人/天")
    assert subsidy.level1 == "产出目标"
    slots = {(s.level1, s.level2) for s in t.slots}
    assert ("产出目标", "时效") in slots  # declared, empty
    assert not any(i.level2 == "时效" for i in t.indicators)


def test_label_printed_on_a_middle_row(sample):
    """In the U-key table 投入与目标管理 and 财务管理 are printed on middle rows of their blocks."""
    t = by_title(sample, "U-key")
    first = t.indicators[0]
    assert (first.level1, first.level2, first.level3) == ("投入与目标管理", "投入管理", "预算执行率")
    fin = next(i for i in t.indicators if i.level3 == "财务管理制度健全性")
    assert fin.level2 == "财务管理"
    sat = next(i for i in t.indicators if i.level3 == "使用人员满意度")
    assert (sat.level1, sat.level2, sat.target.raw) == ("效果目标", "满意度", "≥95%")


def test_all_sample_targets_read(sample):
    shelves = next(i for t in sample.tables for i in t.indicators if i.level3 == "密集架")
    assert shelves.target.raw == "=52组"
    assert shelves.location.line is not None
    total = sum(len(t.indicators) for t in sample.tables if t.kind == "project")
    assert total >= 160


def test_department_table(sample):
    t = next(t for t in sample.tables if t.kind == "department")
    assert t.framework == "department"
    assert t.header["项目本年度金额"].amount.wan == 503.7
    real = next(i for i in t.indicators if i.level3 == "决算真实性")
    assert real.target.raw == "真实"
    econ = next(i for i in t.indicators if i.level3 == "经济效益指标")
    assert "100%" in econ.target.raw


@pytest.mark.parametrize(
    "name, title, n_indicators, framework",
    [
        ("05_huangshi_dangxiao_2022.tsv", "主体班", 13, "older"),
        ("13_yueyang_gaobiaozhunnongtian_2022.tsv", "岳阳县2022年高标准农田建设项目", 12, "older"),
        ("21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv", "再生资源回收市场管理经费", 11, "older"),
        ("12_tongxin_xiamaguan_putao_2023.tsv", "黄金蜜", 9, "older"),
    ],
)
def test_real_tables(name, title, n_indicators, framework):
    doc = load(REAL / name)
    t = doc.tables[0]
    assert title in t.title
    assert len(t.indicators) == n_indicators
    assert t.framework == framework
    assert all(i.level1 and i.level2 and i.level3 for i in t.indicators)


def test_merged_label_on_a_later_row_in_a_web_copy():
    """05 prints 产出指标 on the fifth row of its block; every 数量 row still gets it."""
    t = load(REAL / "05_huangshi_dangxiao_2022.tsv").tables[0]
    counts = [i for i in t.indicators if i.level2 == "数量指标"]
    assert len(counts) == 5 and {i.level1 for i in counts} == {"产出指标"}
    assert next(i for i in t.indicators if i.level3 == "主体班培训人次").target.raw == "280人次"


def test_extra_columns_are_kept():
    t = load(REAL / "21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv").tables[0]
    trips = next(i for i in t.indicators if i.level3 == "出差人次")
    assert (trips.nature, trips.direction, trips.unit_column, trips.weight) == ("正向", "=", "人/次", 4.0)
    assert t.header["项目本年度金额"].amount.wan == 3.0


def test_traditional_text_with_pinyin_glosses():
    doc = load(REAL / "19_yueyanglou_jiagerenzheng_zhengti_2023.tsv")
    t = doc.tables[0]
    assert t.kind == "department"
    assert t.title == "岳阳楼区价格认证鉴定中心"
    assert any(i.level3 == "业务工作支出安排金额" and i.unit_column == "%" for i in t.indicators)


def test_truncated_table_without_indicators_still_reads():
    t = load(REAL / "15_yangquan_sihaonongcunlu_2021.tsv").tables[0]
    assert t.kind == "project" and t.indicators == []
    assert t.header["项目本年度金额"].amount.wan == 25
    assert "项目实施计划" in t.narrative


def test_no_table_is_an_input_error():
    with pytest.raises(InputError, match="no performance-target"):
        load_document("这是一段普通的文字，没有任何表格。\n第二行。".encode(), "note.txt")


def test_taxonomy_answers():
    tax = load_taxonomy()
    assert tax.canonical("产出指标") == "产出"
    assert tax.frameworks["henan"].parent_of("投入管理") == "投入与目标管理"
    assert tax.level2_of("使用人员满意度") == "满意度"
    assert tax.detect_framework(["成本指标", "产出指标"], ["经济成本指标", "数量指标"]) == "central2021"


def test_department_task_list_and_budget_lines(sample):
    """年度主要任务 over a small list is one field; "1、资金来源：(1)财政性资金" lines are read by their last part."""
    t = next(t for t in sample.tables if t.kind == "department")
    tasks = t.narrative["年度主要任务"].text
    assert tasks.startswith("持续推进缴存扩面：一是继续以我市30家重点工业企业")
    assert "；强化资金风险管控：一是专项审计整改" in tasks and "提升服务效能和水平：" in tasks
    assert not any(k in t.narrative for k in ("持续推进缴存扩面", "强化资金风险管控"))
    assert (t.header["财政拨款"].amount.wan, t.header["基本支出"].amount.wan, t.header["项目支出"].amount.wan) == (
        503.7, 200.5, 303.2)


def _paste(text: str):
    return load_document(text.encode(), "粘贴.txt")


def test_browser_copy_drops_the_band_column_of_merged_rows():
    """The "绩效指标" band is merged down the tree: a browser writes it once, on the header row."""
    t = _paste("\n".join([
        "项目名称\t社区工作者培训",
        "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t指标值说明",
        "产出指标\t数量指标\t集中轮训期数\t=4期\t每期5天",
        "培训人次\t≥1600人次\t以签到记录为准",
        "满意度指标\t服务对象满意度指标\t参训人员满意度\t≥90%\t问卷调查",
    ])).tables[0]
    assert [(i.path, i.target.raw, i.note) for i in t.indicators] == [
        ("产出指标 > 数量指标 > 集中轮训期数", "=4期", "每期5天"),
        ("产出指标 > 数量指标 > 培训人次", "≥1600人次", "以签到记录为准"),
        ("满意度指标 > 服务对象满意度指标 > 参训人员满意度", "≥90%", "问卷调查"),
    ]


def test_unit_line_under_a_project_title_does_not_open_a_department_table():
    doc = _paste("\n".join([
        "2023年项目支出绩效目标表",
        "单位名称：仁寿县民政局",
        "项目名称\t城乡居民最低生活保障资金",
        "项目资金（万元）\t年度资金总额\t6,480.00",
        "\t其中：中央补助\t4,536.00",
        "一级指标\t二级指标\t三级指标\t指标值",
        "产出指标\t数量指标\t城乡低保保障人数\t≥12000人",
    ]))
    assert [(t.kind, t.title) for t in doc.tables] == [("project", "城乡居民最低生活保障资金")]
    t = doc.tables[0]
    assert t.header["单位名称"].text == "仁寿县民政局" and t.unit_name == "仁寿县民政局"
    assert t.header["中央补助"].amount.wan == 4536


def test_taxonomy_reads_numbered_and_annotated_level_names():
    tax = load_taxonomy()
    names = ("一、产出指标", "（一）数量指标", "1.质量指标", "数量指标（必填）", "服务对象满意度指标（★）", "2021年")
    assert [tax.canonical(n) for n in names] == ["产出", "数量", "质量", "数量", "服务对象满意度", "2021年"]


def test_no_table_message_is_chinese_and_one_line():
    with pytest.raises(InputError) as e:
        load_document("这是一段普通的文字。".encode(), "note.txt")
    assert str(e.value).startswith("note.txt：未找到绩效目标表或预算表") and "\n" not in str(e.value)


def test_cells_separated_by_single_spaces_are_read():
    """Some PDF viewers copy a table with one space between cells instead of a tab."""
    spaced = SAMPLE.read_text(encoding="utf-8").replace("\t", " ")
    doc = load_document(spaced.encode(), "spaced.txt")
    projects = [t for t in doc.tables if t.kind == "project"]
    assert len(projects) == 7
    villages = next(t for t in projects if t.title == "驻村帮扶工作经费")
    assert villages.header["项目本年度金额"].amount.wan == 5.0
    assert "卫凹村" in villages.narrative["项目概况"].text
    subsidy = next(i for i in villages.indicators if i.level3 == "驻村人员补助标准")
    assert (subsidy.level2, subsidy.target.raw) == ("成本", "140元/人/天")
    shelves = next(i for t in projects for i in t.indicators if i.level3 == "密集架")
    assert shelves.target.raw == "=52组"


def test_text_after_the_last_tree_is_not_read_as_indicators():
    tail = "\n第四部分\n\n名词解释\n\n一、财政拨款收入：是指市级财政当年拨付的资金。\n"
    doc = load_document((SAMPLE.read_text(encoding="utf-8") + tail).encode(), "tail.txt")
    last = doc.tables[-1]
    assert last.title.startswith("档案保护专项")
    assert not any("名词解释" in (i.level3 or "") or "财政拨款收入" in (i.level3 or "") for i in last.indicators)
    assert len(last.indicators) == len(load(SAMPLE).tables[-1].indicators)
