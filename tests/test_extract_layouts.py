"""Extraction on the layouts governments actually publish, in every input format.

The corpus in tests/layouts/ holds hand-written inputs modelled on real templates (the 2021
central framework, provincial project tables, a department-wide table, text copied from PDFs and
web pages, Markdown, CSV, a saved budget web page). Workbooks and Word documents are built here
with openpyxl and python-docx, with merged cells as the templates have them.

Every case states the whole expected result: the tables and their kinds, titles, framework,
header amounts in 万元, narrative keys, and every indicator as "一级 > 二级 > 三级 = raw target",
so a change that misreads one row fails.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from reviewer.errors import InputError
from reviewer.extract import document_from_grid, load_document
from reviewer.extract.readers.text import parse_text
from reviewer.models import Document, Table

LAYOUTS = Path(__file__).resolve().parent / "layouts"


def load(path: Path) -> Document:
    return load_document(path.read_bytes(), path.name)


def lines(t: Table) -> list[str]:
    return [f"{i.path} = {i.target.raw}" for i in t.indicators]


def empty_slots(t: Table) -> list[str]:
    used = {(i.level1, i.level2) for i in t.indicators}
    return [f"{s.level1} > {s.level2}" for s in t.slots if (s.level1, s.level2) not in used]


def check(t: Table, spec: dict) -> None:
    """Assert a table matches its spec (only the keys the spec names)."""
    assert t.kind == spec["kind"], t.title
    assert t.title == spec["title"]
    if "framework" in spec:
        assert t.framework == spec["framework"], t.title
    if "year" in spec:
        assert t.year == spec["year"], t.title
    for key, wan in spec.get("amounts", {}).items():
        assert key in t.header, f"{t.title}: no header field {key} in {list(t.header)}"
        assert t.header[key].amount is not None and t.header[key].amount.wan == pytest.approx(wan), key
    for key, text in spec.get("header", {}).items():
        assert t.header[key].text == text, key
    for key, part in spec.get("narrative", {}).items():
        assert key in t.narrative, f"{t.title}: no narrative field {key} in {list(t.narrative)}"
        assert part in t.narrative[key].text, key
    if "indicators" in spec:
        assert lines(t) == spec["indicators"]
    if "empty" in spec:
        assert empty_slots(t) == spec["empty"]


# ------------------------------------------------------------------ text, Markdown, CSV, HTML


CENTRAL_2021 = {
    "kind": "project", "title": "国家级自然保护区生态系统监测", "framework": "central2021", "year": 2022,
    "amounts": {"项目本年度金额": 1280, "财政拨款": 1200, "其他资金": 80},
    "header": {"主管部门": "国家林业和草原局", "实施单位": "国家林业和草原局调查规划设计院"},
    "narrative": {"年度绩效目标": "完成50处国家级自然保护区"},
    "indicators": [
        "成本指标 > 经济成本指标 > 单个保护区监测成本 = 24",
        "成本指标 > 经济成本指标 > 监测设备租赁费用 = 80",
        "成本指标 > 社会成本指标 > 对当地居民生产生活的影响 = 无明显影响",
        "成本指标 > 生态环境成本指标 > 监测活动对生态环境的扰动 = 无扰动",
        "产出指标 > 数量指标 > 监测保护区数量 = 50",
        "产出指标 > 数量指标 > 年度监测报告 = 1",
        "产出指标 > 质量指标 > 监测数据有效率 = 95",
        "产出指标 > 时效指标 > 年度监测报告提交时间 = 2022年11月30日",
        "效益指标 > 社会效益指标 > 为保护区管理评估提供数据支撑 = 有效支撑",
        "效益指标 > 生态效益指标 > 监测区域生态系统状况掌握程度 = 全面掌握",
        "效益指标 > 可持续影响指标 > 长期监测样地保存率 = 90",
        "满意度指标 > 服务对象满意度指标 > 保护区管理机构满意度 = 90",
    ],
}

DEPARTMENT_HUNAN = {
    "kind": "department", "title": "平江县农业农村局", "framework": "older", "year": 2023,
    "amounts": {"项目本年度金额": 2356.8, "基本支出": 856.8, "项目支出": 1500, "一般公共预算": 2156.8,
                "政府性基金": 200},
    "narrative": {"部门职责": "三农", "年度绩效目标": "1.2万亩",
                  "年度主要任务": "动物疫病防控：开展重大动物疫病强制免疫和监测（预算金额300.00）"},
    "indicators": [
        "产出指标 > 数量指标 > 新建高标准农田面积 = ≥1.2万亩",
        "产出指标 > 数量指标 > 农产品质量安全例行监测样品数 = ≥800批次",
        "产出指标 > 质量指标 > 重大动物疫病免疫密度 = ≥90%",
        "产出指标 > 质量指标 > 农产品质量安全例行监测合格率 = ≥98%",
        "产出指标 > 时效指标 > 高标准农田建设任务完成时间 = 2023年12月31日前",
        "产出指标 > 成本指标 > 高标准农田亩均财政投入 = ≤1500元/亩",
        "效益指标 > 经济效益指标 > 项目区粮食亩均增产 = ≥50公斤",
        "效益指标 > 社会效益指标 > 区域性重大动物疫情发生次数 = 0次",
        "效益指标 > 生态效益指标 > 化肥农药使用量 = 较上年下降",
        "效益指标 > 可持续影响指标 > 农田设施管护机制 = 健全",
        "满意度指标 > 服务对象满意度指标 > 农户满意度 = ≥90%",
    ],
}

BEIJING = {
    "kind": "project", "title": "社区卫生服务中心标准化建设", "framework": "older", "year": 2023,
    "amounts": {"项目本年度金额": 560, "财政拨款": 560, "其他资金": 0},
    "header": {"单位名称": "北京市朝阳区卫生健康委员会", "开始时间": "2023年1月", "结束时间": "2023年12月"},
    "narrative": {"年度绩效目标": "标准化改造"},
    "indicators": [
        "产出指标 > 数量指标 > 改造社区卫生服务中心数量 = 5个",
        "产出指标 > 数量指标 > 配置诊疗设备数量 = ≥120台（套）",
        "产出指标 > 质量指标 > 设备验收合格率 = 100%",
        "产出指标 > 时效指标 > 改造工程完工时间 = 2023年10月31日前",
        "产出指标 > 成本指标 > 单个中心改造成本 = ≤112万元",
        "效益指标 > 社会效益指标 > 辖区居民就近就医率 = ≥70%",
        "效益指标 > 社会效益指标 > 家庭医生签约服务覆盖率 = ≥45%",
        "效益指标 > 可持续影响指标 > 设备使用年限 = ≥8年",
        "满意度指标 > 服务对象满意度指标 > 辖区居民满意度 = ≥90%",
    ],
}

SHANGHAI = {
    "kind": "project", "title": "老旧小区加装电梯补贴", "framework": "older", "year": 2024,
    "amounts": {"项目总金额": 3000, "项目本年度金额": 1500},
    "header": {"主管部门": "上海市徐汇区住房保障和房屋管理局", "实施单位": "上海市徐汇区房屋安全管理事务中心",
               "项目属性": "经常性项目", "开始时间": "2024-01-01", "结束时间": "2024-12-31"},
    "narrative": {"项目概况": "每台补贴不超过28万元", "项目总目标": "300台", "年度绩效目标": "50台"},
    "indicators": [
        "产出指标 > 数量指标 > 加装电梯完成数量 = ≥ 50",
        "产出指标 > 质量指标 > 电梯验收合格率 = ≥ 95 %",
        "产出指标 > 时效指标 > 补贴资金拨付时限 = ≤ 30",
        "产出指标 > 成本指标 > 单台电梯补贴标准 = ≤ 28",
        "效益指标 > 社会效益指标 > 受益居民户数 = ≥ 1,200",
        "效益指标 > 可持续影响指标 > 电梯维保机制 = 建立健全",
        "满意度指标 > 服务对象满意度指标 > 加装电梯居民满意度 = ≥ 90",
    ],
}

PDF_WRAPPED = {
    "kind": "project", "title": "农村公路日常养护", "framework": "older", "year": 2023,
    "amounts": {"项目本年度金额": 360, "财政拨款": 360, "其他资金": 0},
    "narrative": {"项目概况": "本项目用于县乡道路面日常保洁、病害处治、桥涵维护和安全设施修复，保障农村公路安全畅通，"
                          "计划全年完成日常养护里程1,200公里以上。",
                  "年度绩效目标": "养护资金拨付及时率100%。", "立项依据": "农村公路养护管理办法"},
    "indicators": [
        "产出指标 > 数量指标 > 完成农村公路日常养护里程 = ≥1200公里",
        "产出指标 > 数量指标 > 桥涵维护座数 = ≥35座",
        "产出指标 > 质量指标 > 优良中等路率 = ≥85%",
        "产出指标 > 时效指标 > 路面病害处治完成时间 = 2023年10月底前",
        "产出指标 > 成本指标 > 农村公路日常养护每公里成本 = ≤3000元/公里",
        "效益指标 > 社会效益指标 > 农村公路列养率 = 100%",
        "效益指标 > 社会效益指标 > 公路安全事故发生率较上年 = 下降",
        "效益指标 > 可持续影响指标 > 农村公路管养长效机制 = 健全",
        "满意度指标 > 服务对象满意度指标 > 沿线群众满意度 = ≥90%",
    ],
}

PAGE_BREAK = [
    {
        "kind": "project", "title": "农村义务教育学生营养改善计划", "framework": "older", "year": 2022,
        "amounts": {"项目本年度金额": 1080, "财政拨款": 1080},
        "indicators": [
            "产出指标 > 数量指标 > 受益学生人数 = ≥1.8万人",
            "产出指标 > 数量指标 > 覆盖学校数量 = 56所",
            "产出指标 > 质量指标 > 食品安全抽检合格率 = 100%",
            "产出指标 > 时效指标 > 补助资金按月拨付率 = 100%",
            "产出指标 > 成本指标 > 生均每日膳食补助标准 = 5元/人/天",
            "效益指标 > 社会效益指标 > 学生营养健康状况改善率 = ≥80%",
            "效益指标 > 可持续影响指标 > 学校食堂供餐覆盖率 = 100%",
            "满意度指标 > 服务对象满意度指标 > 学生家长满意度 = ≥90%",
        ],
    },
    {
        "kind": "project", "title": "学前教育幼儿资助", "year": 2022, "amounts": {"项目本年度金额": 96},
        "indicators": [
            "产出指标 > 数量指标 > 资助幼儿人次 = 1600人次",
            "产出指标 > 质量指标 > 资助对象认定准确率 = 100%",
            "产出指标 > 时效指标 > 资助资金发放及时率 = 100%",
            "产出指标 > 成本指标 > 生均资助标准 = 600元/人/年",
            "效益指标 > 社会效益指标 > 家庭经济困难幼儿资助覆盖率 = 100%",
            "满意度指标 > 服务对象满意度指标 > 受助家庭满意度 = ≥95%",
        ],
        "empty": ["效益指标 > 经济效益指标"],
    },
]

MARKDOWN = {
    "kind": "project", "title": "城区道路保洁服务购买", "framework": "older", "year": 2024,
    "amounts": {"项目本年度金额": 2400, "财政拨款": 2400, "其他资金": 0},
    "header": {"主管部门": "某市城市管理局", "实施单位": "某市环境卫生管理处"},
    "narrative": {"年度绩效目标": "380万平方米"},
    "indicators": [
        "产出指标 > 数量指标 > 道路保洁面积 = ≥380万平方米",
        "产出指标 > 质量指标 > 道路保洁质量达标率 = ≥95%",
        "产出指标 > 时效指标 > 垃圾清运日产日清率 = 100%",
        "产出指标 > 成本指标 > 每平方米年保洁成本 = ≤6.3元",
        "效益指标 > 社会效益指标 > 市容环境投诉办结率 = 100%",
        "效益指标 > 生态效益指标 > 道路扬尘污染 = 有效降低",
        "满意度指标 > 服务对象满意度指标 > 市民满意度 = ≥90%",
    ],
}

CSV_EXPORT = {
    "kind": "project", "title": "乡村振兴示范村创建奖补", "framework": "older", "year": 2024,
    "amounts": {"项目本年度金额": 500, "财政拨款": 500, "其他资金": 0},
    "narrative": {"项目总目标": "打造一批乡村振兴示范村", "年度绩效目标": "创建乡村振兴示范村10个"},
    "indicators": [
        "产出指标 > 数量指标 > 创建示范村数量 = 10",
        "产出指标 > 质量指标 > 示范村验收合格率 = 100",
        "产出指标 > 时效指标 > 奖补资金拨付时间 = 2024年9月30日前",
        "产出指标 > 成本指标 > 每村奖补标准 = 50",
        "效益指标 > 经济效益指标 > 示范村村集体经济年收入 = ≥10",
        "效益指标 > 社会效益指标 > 带动农户增收户数 = ≥800",
        "满意度指标 > 服务对象满意度指标 > 村民满意度 = ≥90",
    ],
}

ZHEJIANG_PAGE = [
    {"kind": "budget", "title": "部门预算说明", "narrative": {"第一部分 部门概况": "主要职能"}},
    {"kind": "budget", "title": "部门收支预算总表", "year": 2023},
    {
        "kind": "project", "title": "西湖区公共文化场馆免费开放", "framework": "older", "year": 2023,
        "amounts": {"项目本年度金额": 320, "财政拨款": 320, "其他资金": 0},
        "header": {"主管部门": "西湖区文化和广电旅游体育局", "实施单位": "西湖区文化馆"},
        "narrative": {"项目总目标": "持续推进公共文化场馆免费开放", "年度绩效目标": "不少于300天"},
        "indicators": [
            "产出指标 > 数量指标 > 场馆免费开放天数 = ≥300天",
            "产出指标 > 数量指标 > 举办公益文化活动场次 = ≥120场",
            "产出指标 > 质量指标 > 活动安全事故发生率 = 0",
            "产出指标 > 时效指标 > 补助资金拨付及时率 = 100%",
            "产出指标 > 成本指标 > 每场活动平均成本 = ≤1.5万元",
            "效益指标 > 社会效益指标 > 服务群众人次 = ≥20万人次",
            "效益指标 > 可持续影响指标 > 免费开放长效机制 = 健全",
            "满意度指标 > 服务对象满意度指标 > 群众满意度 = ≥90%",
        ],
    },
    {
        "kind": "project", "title": "全民健身设施提升改造", "framework": "older", "year": 2023,
        "amounts": {"项目本年度金额": 450, "财政拨款": 400, "其他资金": 50},
        "indicators": [
            "产出指标 > 数量指标 > 新建或改造百姓健身房数量 = 10处",
            "产出指标 > 质量指标 > 工程验收合格率 = 100%",
            "产出指标 > 时效指标 > 项目完工时间 = 2023年11月底前",
            "效益指标 > 社会效益指标 > 经常参加体育锻炼人数比例 = ≥42%",
            "满意度指标 > 服务对象满意度指标 > 健身群众满意度 = ≥90%",
        ],
        "empty": ["产出指标 > 成本指标", "效益指标 > 生态效益指标"],
    },
]

FLAT_EXPORT = [
    {"kind": "project", "title": "法律援助经费", "framework": "older", "year": 2024,
     "amounts": {"项目本年度金额": 120}, "header": {"单位名称": "某市司法局"},
     "indicators": [
         "产出指标 > 数量指标 > 办理法律援助案件数 = ≥1500件",
         "产出指标 > 质量指标 > 法律援助案件结案率 = ≥95%",
         "效益指标 > 社会效益指标 > 困难群众法律援助覆盖率 = 100%",
         "满意度指标 > 服务对象满意度指标 > 受援人满意度 = ≥90%",
     ]},
    {"kind": "project", "title": "人民调解员以案定补", "amounts": {"项目本年度金额": 85.5},
     "indicators": [
         "产出指标 > 数量指标 > 调解矛盾纠纷件数 = ≥3000件",
         "产出指标 > 成本指标 > 每件案件补贴标准 = ≤200元/件",
         "效益指标 > 社会效益指标 > 调解成功率 = ≥95%",
         "满意度指标 > 服务对象满意度指标 > 当事人满意度 = ≥90%",
     ]},
    {"kind": "project", "title": "公证服务信息化运维", "amounts": {"项目本年度金额": 36},
     "header": {"单位名称": "某市公证处"},
     "indicators": [
         "产出指标 > 数量指标 > 运维系统数量 = 3套",
         "产出指标 > 时效指标 > 故障响应时间 = ≤2小时",
         "效益指标 > 可持续影响指标 > 系统正常运行率 = ≥99%",
         "满意度指标 > 服务对象满意度指标 > 办证群众满意度 = ≥95%",
     ]},
]

MOF88 = {
    "kind": "project", "title": "基层医疗卫生机构能力提升", "framework": "older", "year": 2022,
    "amounts": {"项目总金额": 900, "项目本年度金额": 300, "财政拨款": 300, "中期财政拨款": 900},
    "narrative": {"项目总目标": "三年内", "年度绩效目标": "2022年完成6个"},
    "indicators": [
        "产出指标 > 数量指标 > 改造乡镇卫生院数量 = 6个",
        "产出指标 > 质量指标 > 工程验收合格率 = 100%",
        "产出指标 > 时效指标 > 年度改造完成时间 = 2022年12月底前",
        "效益指标 > 社会效益指标 > 基层就诊率 = ≥60%",
        "满意度指标 > 服务对象满意度指标 > 就诊群众满意度 = ≥90%",
    ],
}

TREE_ONLY = {
    "kind": "project", "title": "未命名项目", "framework": "older",
    "indicators": [
        "产出指标 > 数量指标 > 培训基层干部人次 = ≥600人次",
        "产出指标 > 数量指标 > 编印培训教材 = 2000册",
        "产出指标 > 质量指标 > 培训考核合格率 = ≥95%",
        "产出指标 > 时效指标 > 培训完成时间 = 2024年11月底前",
        "产出指标 > 成本指标 > 人均培训成本 = ≤800元",
        "效益指标 > 社会效益指标 > 参训干部履职能力提升 = 明显提升",
        "满意度指标 > 服务对象满意度指标 > 参训学员满意度 = ≥90%",
    ],
}

RUNNING_HEADER = {
    "kind": "project", "title": "中小河流治理", "framework": "older", "year": 2023,
    "amounts": {"项目本年度金额": 2150, "财政拨款": 2150},
    "narrative": {"项目概况": "治理淦河咸安段河道12.6公里", "年度绩效目标": "20年一遇"},
    "indicators": [
        "产出指标 > 数量指标 > 河道治理长度 = 12.6公里",
        "产出指标 > 数量指标 > 新建护岸长度 = 8.2公里",
        "产出指标 > 质量指标 > 工程质量合格率 = 100%",
        "产出指标 > 时效指标 > 主体工程完工时间 = 2023年12月底前",
        "效益指标 > 社会效益指标 > 保护人口 = ≥3.5万人",
        "效益指标 > 生态效益指标 > 河道水质 = 不低于Ⅲ类",
        "满意度指标 > 服务对象满意度指标 > 沿河群众满意度 = ≥90%",
    ],
}

FILES = {
    "excel_flat_export.txt": FLAT_EXPORT,
    "mof88_midterm_annual.txt": [MOF88],
    "tree_only_paste.txt": [TREE_ONLY],
    "pdf_running_header.txt": [RUNNING_HEADER],
    "central2021_project.txt": [CENTRAL_2021],
    "department_hunan.txt": [DEPARTMENT_HUNAN],
    "beijing_browser_paste.txt": [BEIJING],
    "shanghai_odd_labels.txt": [SHANGHAI],
    "pdf_wrapped_cells.txt": [PDF_WRAPPED],
    "pdf_page_break.txt": PAGE_BREAK,
    "markdown_table.md": [MARKDOWN],
    "csv_export.csv": [CSV_EXPORT],
    "zhejiang_budget_page.html": ZHEJIANG_PAGE,
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_layout_file(name):
    doc = load(LAYOUTS / name)
    specs = FILES[name]
    assert [(t.kind, t.title) for t in doc.tables] == [(s["kind"], s["title"]) for s in specs]
    for t, spec in zip(doc.tables, specs, strict=True):
        check(t, spec)


def test_central_framework_reads_the_comparator_from_its_nature_column():
    t = load(LAYOUTS / "central2021_project.txt").tables[0]
    by_name = {i.level3: i for i in t.indicators}
    cost = by_name["单个保护区监测成本"]
    assert (cost.target.comparator, cost.target.value, cost.target.unit) == ("<=", 24, "万元/处")
    assert (cost.weight, cost.basis) == (10, "计划标准；项目预算测算")
    assert by_name["年度监测报告"].target.comparator == "="
    assert by_name["监测数据有效率"].target.unit == "%"
    assert by_name["对当地居民生产生活的影响"].target.comparator is None  # 定性
    assert {s.level2 for s in t.slots if s.level1 == "成本指标"} == {"经济成本指标", "社会成本指标", "生态环境成本指标"}


def test_units_only_in_the_unit_column_and_spaced_values():
    t = load(LAYOUTS / "shanghai_odd_labels.txt").tables[0]
    by_name = {i.level3: i.target for i in t.indicators}
    assert (by_name["电梯验收合格率"].comparator, by_name["电梯验收合格率"].value, by_name["电梯验收合格率"].unit) == (
        ">=", 95, "%")
    assert (by_name["加装电梯完成数量"].value, by_name["加装电梯完成数量"].unit_source) == (50, "column")
    assert by_name["受益居民户数"].value == 1200


def test_mid_term_columns_are_kept_beside_the_annual_tree():
    t = load(LAYOUTS / "mof88_midterm_annual.txt").tables[0]
    count = t.indicators[0]
    assert count.extra == {"中期二级指标": "数量指标", "中期三级指标": "改造乡镇卫生院数量", "中期指标值": "18个"}


def test_documents_name_their_department():
    assert load(LAYOUTS / "zhejiang_budget_page.html").department == "西湖区文化和广电旅游体育局"
    assert load(LAYOUTS / "department_hunan.txt").department == "平江县农业农村局"
    assert load(LAYOUTS / "mof88_midterm_annual.txt").department == "某县卫生健康局"  # "[112]" code dropped
    assert load(LAYOUTS / "excel_flat_export.txt").department == "某市司法局"


# ------------------------------------------------------------------ workbooks


def _merge_write(ws, ref: str, value) -> None:
    first = ref.split(":")[0]
    ws[first] = value
    if ":" in ref:
        ws.merge_cells(ref)


def _guangdong_sheet(ws, p: dict) -> None:
    """A provincial project form: title, fields with merged values, a left 绩效指标 band, the tree."""
    _merge_write(ws, "A1:F1", "2023年度省级财政项目支出绩效目标申报表")
    ws["A2"], ws["F2"] = f"填报单位：{p['unit']}", "单位：万元"
    ws["A3"] = "项目名称"
    _merge_write(ws, "B3:F3", p["name"])
    ws["A4"], ws["D4"] = "项目单位", "主管部门"
    _merge_write(ws, "B4:C4", p["unit"])
    _merge_write(ws, "E4:F4", "广东省农业农村厅")
    ws["A5"], ws["D5"] = "项目类型", "项目期限"
    _merge_write(ws, "B5:C5", "一次性项目")
    _merge_write(ws, "E5:F5", "2023年1月至2023年12月")
    _merge_write(ws, "A6:A8", "项目资金（万元）")
    for row, (label, value) in enumerate(
        (("资金总额", p["total"]), ("其中：财政资金", p["total"]), ("其他资金", 0)), start=6
    ):
        ws.cell(row, 2, label)
        _merge_write(ws, f"C{row}:F{row}", value)
        ws.cell(row, 3).number_format = "#,##0.00"
    _merge_write(ws, "A9:A10", "绩效目标")
    ws["B9"], ws["B10"] = "总体目标", "年度目标"
    _merge_write(ws, "C9:F9", p["overall"])
    _merge_write(ws, "C10:F10", p["annual"])
    top = 11
    ws.cell(top, 2, "一级指标"), ws.cell(top, 3, "二级指标"), ws.cell(top, 4, "三级指标")
    ws.cell(top, 5, "指标值"), ws.cell(top, 6, "计量单位")
    rows = p["tree"]
    _merge_write(ws, f"A{top}:A{top + len(rows)}", "绩效指标")
    for k, (l1, l2, l3, value, unit, fmt) in enumerate(rows, start=top + 1):
        for col, text in ((2, l1), (3, l2)):
            if text:
                span = 1
                while k - top + span - 1 < len(rows) and not rows[k - top + span - 1][col - 2]:
                    span += 1
                _merge_write(ws, f"{'ABC'[col - 1]}{k}:{'ABC'[col - 1]}{k + span - 1}" if span > 1
                             else f"{'ABC'[col - 1]}{k}", text)
        ws.cell(k, 4, l3)
        ws.cell(k, 5, value)
        if fmt:
            ws.cell(k, 5).number_format = fmt
        if unit:
            ws.cell(k, 6, unit)


GD_PROJECTS = [
    {
        "name": "高标准农田建设省级补助", "unit": "广东省农田建设管理中心", "total": 12500.5,
        "overall": "持续提升耕地质量，建成旱涝保收、高产稳产的高标准农田。",
        "annual": "2023年新建高标准农田25万亩，改造提升10万亩。",
        "tree": [
            ("产出指标", "数量指标", "新建高标准农田面积", 25, "万亩", None),
            ("", "", "改造提升高标准农田面积", 10, "万亩", None),
            ("", "质量指标", "项目竣工验收合格率", 1, "", "0%"),
            ("", "时效指标", "项目完成时间", datetime(2023, 12, 31), "", None),
            ("", "成本指标", "亩均财政补助标准", "≤3000", "元/亩", None),
            ("效益指标", "经济效益指标", "项目区亩均粮食增产", "≥50", "公斤", None),
            ("", "社会效益指标", "受益农户数", "≥12", "万户", None),
            ("满意度指标", "服务对象满意度指标", "受益农户满意度", 0.9, "", "0%"),
        ],
        "expect": [
            "产出指标 > 数量指标 > 新建高标准农田面积 = 25",
            "产出指标 > 数量指标 > 改造提升高标准农田面积 = 10",
            "产出指标 > 质量指标 > 项目竣工验收合格率 = 100%",
            "产出指标 > 时效指标 > 项目完成时间 = 2023-12-31",
            "产出指标 > 成本指标 > 亩均财政补助标准 = ≤3000",
            "效益指标 > 经济效益指标 > 项目区亩均粮食增产 = ≥50",
            "效益指标 > 社会效益指标 > 受益农户数 = ≥12",
            "满意度指标 > 服务对象满意度指标 > 受益农户满意度 = 90%",
        ],
    },
    {
        "name": "动物防疫补助", "unit": "广东省动物疫病预防控制中心", "total": 860,
        "overall": "有效防控重大动物疫病。", "annual": "重大动物疫病强制免疫密度保持在90%以上。",
        "tree": [
            ("产出指标", "数量指标", "强制免疫疫苗采购数量", "≥3000", "万毫升", None),
            ("", "质量指标", "免疫密度", "≥90", "%", None),
            ("", "时效指标", "疫苗下发及时率", 1, "", "0%"),
            ("效益指标", "社会效益指标", "区域性重大动物疫情发生次数", 0, "次", None),
            ("", "可持续影响指标", "防疫体系运行", "持续稳定", "", None),
            ("满意度指标", "服务对象满意度指标", "养殖场户满意度", "≥90", "%", None),
        ],
        "expect": [
            "产出指标 > 数量指标 > 强制免疫疫苗采购数量 = ≥3000",
            "产出指标 > 质量指标 > 免疫密度 = ≥90",
            "产出指标 > 时效指标 > 疫苗下发及时率 = 100%",
            "效益指标 > 社会效益指标 > 区域性重大动物疫情发生次数 = 0",
            "效益指标 > 可持续影响指标 > 防疫体系运行 = 持续稳定",
            "满意度指标 > 服务对象满意度指标 > 养殖场户满意度 = ≥90",
        ],
    },
]


@pytest.fixture(scope="module")
def workbook_per_sheet(tmp_path_factory) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for k, p in enumerate(GD_PROJECTS):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = p["name"][:10]
        _guangdong_sheet(ws, p)
    path = tmp_path_factory.mktemp("xlsx") / "广东省级项目绩效目标.xlsx"
    wb.save(path)
    return path


def test_xlsx_one_project_per_sheet(workbook_per_sheet):
    doc = load(workbook_per_sheet)
    assert [t.title for t in doc.tables] == [p["name"] for p in GD_PROJECTS]
    for t, p in zip(doc.tables, GD_PROJECTS, strict=True):
        check(t, {"kind": "project", "title": p["name"], "framework": "older", "year": 2023,
                  "amounts": {"项目本年度金额": p["total"], "财政拨款": p["total"], "其他资金": 0},
                  "header": {"单位名称": p["unit"], "主管部门": "广东省农业农村厅", "开始时间": "2023年1月",
                             "结束时间": "2023年12月", "项目属性": "一次性项目"},
                  "narrative": {"项目总目标": p["overall"], "年度绩效目标": p["annual"]},
                  "indicators": p["expect"]})
        assert t.indicators[0].location.sheet == p["name"][:10]
        assert t.indicators[0].location.cell.startswith("E")
    first = {i.level3: i for i in doc.tables[0].indicators}
    area = first["新建高标准农田面积"].target
    assert (area.value, area.unit, area.unit_source) == (25, "万亩", "column")
    assert first["项目完成时间"].target.kind == "date"
    assert doc.department == "广东省农业农村厅"


STACKED = [
    ("2023年度项目支出绩效目标表", "城乡居民最低生活保障", 1520.0, [
        ("产出指标", "数量指标", "保障城乡低保对象人数", "≥5800人"),
        ("", "质量指标", "低保对象认定准确率", "≥98%"),
        ("", "时效指标", "低保金按月发放率", "100%"),
        ("效益指标", "社会效益指标", "困难群众基本生活保障率", "100%"),
        ("满意度指标", "服务对象满意度指标", "低保对象满意度", "≥90%"),
    ]),
    (None, "特困人员救助供养", 365.0, [
        ("产出指标", "数量指标", "特困供养人数", "≥620人"),
        ("", "成本指标", "集中供养人均年标准", "≤1.2万元"),
        ("效益指标", "社会效益指标", "特困人员基本生活保障率", "100%"),
        ("满意度指标", "服务对象满意度指标", "特困人员满意度", "≥90%"),
    ]),
    ("2023年度项目支出绩效目标表", "临时救助", 80.5, [
        ("产出指标", "数量指标", "临时救助人次", "≥900人次"),
        ("", "时效指标", "急难型救助审批时限", "≤24小时"),
        ("效益指标", "社会效益指标", "困难群众急难问题解决率", "≥95%"),
        ("满意度指标", "服务对象满意度指标", "受助群众满意度", "≥90%"),
    ]),
]


@pytest.fixture(scope="module")
def workbook_stacked(tmp_path_factory) -> Path:
    """Several projects on one sheet, one under the other, separated by empty rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标"
    r = 1
    for title, name, amount, tree in STACKED:
        if title:
            _merge_write(ws, f"A{r}:D{r}", title)
            r += 1
        ws.cell(r, 1, "项目名称")
        _merge_write(ws, f"B{r}:D{r}", name)
        ws.cell(r + 1, 1, "主管部门"), ws.cell(r + 1, 2, "某县民政局")
        ws.cell(r + 1, 3, "实施单位"), ws.cell(r + 1, 4, "某县社会救助服务中心")
        ws.cell(r + 2, 1, "年度资金总额（万元）")
        _merge_write(ws, f"B{r + 2}:D{r + 2}", amount)
        r += 3
        for col, head in enumerate(("一级指标", "二级指标", "三级指标", "指标值"), start=1):
            ws.cell(r, col, head)
        r += 1
        for l1, l2, l3, value in tree:
            ws.cell(r, 1, l1 or None), ws.cell(r, 2, l2 or None), ws.cell(r, 3, l3), ws.cell(r, 4, value)
            r += 1
        r += 2  # two empty rows before the next project
    path = tmp_path_factory.mktemp("xlsx") / "民政局项目绩效目标汇总.xlsx"
    wb.save(path)
    return path


def _tree_lines(tree) -> list[str]:
    out, l1, l2 = [], None, None
    for a, b, c, v in tree:
        l1, l2 = a or l1, b or l2
        out.append(f"{l1} > {l2} > {c} = {v}")
    return out


def test_xlsx_several_projects_stacked_on_one_sheet(workbook_stacked):
    doc = load(workbook_stacked)
    assert [(t.kind, t.title) for t in doc.tables] == [("project", name) for _, name, _, _ in STACKED]
    for t, (_, name, amount, tree) in zip(doc.tables, STACKED, strict=True):
        check(t, {"kind": "project", "title": name, "framework": "older",
                  "amounts": {"项目本年度金额": amount}, "indicators": _tree_lines(tree)})
    assert doc.budget_year == 2023


# ------------------------------------------------------------------ a Word budget document


def _docx_table(document, rows: list[list[str]], merges: list[tuple[int, int, int, int]] = ()):
    """A table from rows of texts; merges are (row, col, row2, col2), the text kept at the top-left."""
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            if text:
                table.cell(r, c).text = text
    for r1, c1, r2, c2 in merges:
        keep = table.cell(r1, c1).text
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    table.cell(r, c).text = ""
        merged = table.cell(r1, c1).merge(table.cell(r2, c2))
        merged.text = keep
    return table


@pytest.fixture(scope="module")
def word_document(tmp_path_factory) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("某县民政局2023年部门预算公开说明", level=1)
    d.add_paragraph("第一部分 部门概况")
    d.add_paragraph("一、主要职能：贯彻执行国家有关民政工作的方针政策和法律法规，拟订全县社会救助、养老服务、"
                    "儿童福利、社会组织管理等民政事业发展规划并组织实施。")
    d.add_paragraph("第二部分 2023年部门预算情况说明")
    d.add_paragraph("一、收入支出预算总体情况说明：2023年收入预算合计2,465.50万元，支出预算合计2,465.50万元，"
                    "其中基本支出500.00万元，项目支出1,965.50万元，与上年相比增加120.30万元，主要原因是"
                    "低保标准提高，城乡居民最低生活保障资金相应增加。")
    d.add_paragraph("")
    d.add_paragraph("2023年部门收支总体情况表")
    d.add_paragraph("单位：万元")
    _docx_table(d, [
        ["收入", "", "支出", ""],
        ["项目", "预算数", "项目", "预算数"],
        ["一般公共预算拨款收入", "2,465.50", "社会保障和就业支出", "2,465.50"],
        ["收入总计", "2,465.50", "支出总计", "2,465.50"],
    ], merges=[(0, 0, 0, 1), (0, 2, 0, 3)])
    d.add_paragraph("")
    d.add_paragraph("2023年部门整体支出绩效目标表")
    _docx_table(d, [
        ["部门（单位）名称", "某县民政局", "", ""],
        ["部门职能", "负责全县社会救助、养老服务、儿童福利和社会事务管理。", "", ""],
        ["年度主要任务", "任务名称", "主要内容", ""],
        ["", "兜底保障", "落实城乡低保、特困供养和临时救助政策", ""],
        ["", "养老服务", "推进居家和社区养老服务", ""],
        ["预算情况", "资金总额", "2,465.50", ""],
        ["", "其中：基本支出", "500.00", ""],
        ["", "项目支出", "1,965.50", ""],
        ["年度绩效目标", "困难群众应保尽保，养老服务设施覆盖率稳步提高。", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "城乡低保保障人数", "≥5800人"],
        ["", "", "新增社区养老服务站点", "≥6个"],
        ["", "质量指标", "低保对象认定准确率", "≥98%"],
        ["", "时效指标", "救助资金按月发放率", "100%"],
        ["效益指标", "社会效益指标", "困难群众基本生活保障率", "100%"],
        ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"],
    ], merges=[(0, 1, 0, 3), (1, 1, 1, 3), (2, 0, 4, 0), (2, 2, 2, 3), (3, 2, 3, 3), (4, 2, 4, 3),
               (5, 0, 7, 0), (5, 2, 5, 3), (6, 2, 6, 3), (7, 2, 7, 3), (8, 1, 8, 3),
               (10, 0, 13, 0), (10, 1, 11, 1)])
    d.add_paragraph("")
    d.add_paragraph("2023年项目支出绩效目标表")
    _docx_table(d, [
        ["项目名称", "城乡居民最低生活保障", "", ""],
        ["主管部门", "某县民政局", "实施单位", "某县社会救助服务中心"],
        ["项目资金（万元）", "年度资金总额", "1,520.00", ""],
        ["", "其中：财政拨款", "1,520.00", ""],
        ["", "其他资金", "0", ""],
        ["年度绩效目标", "保障城乡低保对象5,800人，按月足额发放低保金。", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "保障城乡低保对象人数", "≥5800人"],
        ["", "质量指标", "低保对象认定准确率", "≥98%"],
        ["", "时效指标", "低保金按月发放率", "100%"],
        ["", "成本指标", "城市低保月人均补助水平", "≥620元"],
        ["效益指标", "社会效益指标", "困难群众基本生活保障率", "100%"],
        ["", "生态效益指标", "", ""],
        ["满意度指标", "服务对象满意度指标", "低保对象满意度", "≥90%"],
    ], merges=[(0, 1, 0, 3), (2, 0, 4, 0), (2, 2, 2, 3), (3, 2, 3, 3), (4, 2, 4, 3), (5, 1, 5, 3),
               (7, 0, 10, 0), (11, 0, 12, 0)])
    d.add_paragraph("")
    d.add_paragraph("2023年项目支出绩效目标表")
    _docx_table(d, [
        ["项目名称", "居家养老服务补贴", "", ""],
        ["主管部门", "某县民政局", "实施单位", "某县养老服务中心"],
        ["项目资金（万元）", "年度资金总额", "445.50", ""],
        ["年度绩效目标", "为1,200名经济困难老年人提供居家养老服务补贴。", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "享受补贴老年人数", "≥1200人"],
        ["", "时效指标", "补贴发放及时率", "100%"],
        ["效益指标", "社会效益指标", "老年人生活质量", "明显改善"],
        ["满意度指标", "服务对象满意度指标", "老年人满意度", "≥90%"],
    ], merges=[(0, 1, 0, 3), (3, 1, 3, 3), (5, 0, 6, 0)])
    d.add_paragraph("")
    # a project whose fields are written as paragraphs, only its tree in a table
    d.add_paragraph("项目名称：农村留守儿童关爱服务")
    d.add_paragraph("主管部门：某县民政局　　实施单位：某县未成年人保护中心")
    d.add_paragraph("年度资金总额（万元）：36.00")
    d.add_paragraph("年度绩效目标：为全县1,500名农村留守儿童提供探访关爱服务。")
    _docx_table(d, [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "探访关爱留守儿童人数", "≥1500人"],
        ["满意度指标", "服务对象满意度指标", "留守儿童监护人满意度", "≥90%"],
    ])
    d.add_paragraph("某县民政局")
    d.add_paragraph("2023年1月20日")
    path = tmp_path_factory.mktemp("docx") / "某县民政局2023年部门预算.docx"
    d.save(path)
    return path


def test_docx_budget_document(word_document):
    doc = load(word_document)
    assert [(t.kind, t.title) for t in doc.tables] == [
        ("budget", "部门预算说明"),
        ("budget", "部门收支总体情况表"),
        ("department", "某县民政局"),
        ("project", "城乡居民最低生活保障"),
        ("project", "居家养老服务补贴"),
        ("project", "农村留守儿童关爱服务"),
    ]
    assert (doc.budget_year, doc.department) == (2023, "某县民政局")
    narrative, budget, dept, low, elder, children = doc.tables
    assert any("主要职能" in f.text for f in narrative.narrative.values())
    assert budget.columns == ["收入/项目", "收入/预算数", "支出/项目", "支出/预算数"]
    assert [r.texts[0] for r in budget.rows] == ["一般公共预算拨款收入", "收入总计"]
    check(dept, {
        "kind": "department", "title": "某县民政局", "framework": "older",
        "amounts": {"项目本年度金额": 2465.5, "基本支出": 500, "项目支出": 1965.5},
        "narrative": {"部门职责": "社会救助", "年度主要任务": "兜底保障：落实城乡低保", "年度绩效目标": "应保尽保"},
        "indicators": [
            "产出指标 > 数量指标 > 城乡低保保障人数 = ≥5800人",
            "产出指标 > 数量指标 > 新增社区养老服务站点 = ≥6个",
            "产出指标 > 质量指标 > 低保对象认定准确率 = ≥98%",
            "产出指标 > 时效指标 > 救助资金按月发放率 = 100%",
            "效益指标 > 社会效益指标 > 困难群众基本生活保障率 = 100%",
            "满意度指标 > 服务对象满意度指标 > 服务对象满意度 = ≥90%",
        ],
    })
    check(low, {
        "kind": "project", "title": "城乡居民最低生活保障", "year": 2023,
        "amounts": {"项目本年度金额": 1520, "财政拨款": 1520, "其他资金": 0},
        "header": {"实施单位": "某县社会救助服务中心"},
        "indicators": [
            "产出指标 > 数量指标 > 保障城乡低保对象人数 = ≥5800人",
            "产出指标 > 质量指标 > 低保对象认定准确率 = ≥98%",
            "产出指标 > 时效指标 > 低保金按月发放率 = 100%",
            "产出指标 > 成本指标 > 城市低保月人均补助水平 = ≥620元",
            "效益指标 > 社会效益指标 > 困难群众基本生活保障率 = 100%",
            "满意度指标 > 服务对象满意度指标 > 低保对象满意度 = ≥90%",
        ],
        "empty": ["效益指标 > 生态效益指标"],
    })
    check(elder, {
        "kind": "project", "title": "居家养老服务补贴", "amounts": {"项目本年度金额": 445.5},
        "indicators": [
            "产出指标 > 数量指标 > 享受补贴老年人数 = ≥1200人",
            "产出指标 > 时效指标 > 补贴发放及时率 = 100%",
            "效益指标 > 社会效益指标 > 老年人生活质量 = 明显改善",
            "满意度指标 > 服务对象满意度指标 > 老年人满意度 = ≥90%",
        ],
    })
    assert elder.indicators[0].location.table == 4  # the fourth table of the document
    check(children, {
        "kind": "project", "title": "农村留守儿童关爱服务", "year": 2023,
        "amounts": {"项目本年度金额": 36},
        "header": {"主管部门": "某县民政局", "实施单位": "某县未成年人保护中心"},
        "narrative": {"年度绩效目标": "1,500名"},
        "indicators": [
            "产出指标 > 数量指标 > 探访关爱留守儿童人数 = ≥1500人",
            "满意度指标 > 服务对象满意度指标 > 留守儿童监护人满意度 = ≥90%",
        ],
    })


# ------------------------------------------------------------------ a PDF printed over two pages


def _make_pdf(path: Path, n_extra: int = 30) -> Path:
    """A project table printed by a budget system: fields, then a tree long enough to run onto a
    second page, where its header row is printed again; a page number in each footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("t", fontName="STSong-Light", fontSize=14, alignment=1)
    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 9),
                       ("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    head = Table([
        ["项目名称", "乡镇综合文化站免费开放", "", ""],
        ["主管部门", "某县文化广电和旅游局", "实施单位", "某县文化馆"],
        ["项目资金（万元）", "年度资金总额", "64.00", ""],
        ["", "其中：财政拨款", "64.00", ""],
        ["年度绩效目标", "全县16个乡镇综合文化站全年免费开放，开展群众文化活动不少于320场次。", "", ""],
    ], colWidths=[90, 170, 90, 140])
    head.setStyle(TableStyle(grid.getCommands() + [("SPAN", (1, 0), (3, 0)), ("SPAN", (0, 2), (0, 3)),
                                                     ("SPAN", (2, 2), (3, 2)), ("SPAN", (2, 3), (3, 3)),
                                                     ("SPAN", (1, 4), (3, 4))]))
    rows = [["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "免费开放文化站数量", "16个"],
            ["", "", "开展群众文化活动场次", "≥320场次"]]
    for k in range(n_extra):
        rows.append(["", "", f"第{k + 1}期文艺培训班参训人次", f"≥{30 + k}人次"])
    rows += [["", "质量指标", "活动安全事故发生次数", "0次"],
             ["", "时效指标", "补助资金拨付及时率", "100%"],
             ["效益指标", "社会效益指标", "群众参与文化活动人次", "≥5万人次"],
             ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"]]
    tree = Table(rows, colWidths=[90, 110, 190, 100], repeatRows=1)
    tree.setStyle(TableStyle(grid.getCommands() + [("SPAN", (0, 1), (0, 2)), ("SPAN", (1, 1), (1, 2))]))

    def footer(canvas, doc):
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(A4[0] / 2, 30, f"— {doc.page} —")

    doc = SimpleDocTemplate(str(path), pagesize=A4)
    doc.build([Paragraph("2023年度项目支出绩效目标表", style), Spacer(1, 12), head, Spacer(1, 8), tree],
              onFirstPage=footer, onLaterPages=footer)
    return path


def test_pdf_table_over_two_pages(tmp_path):
    pytest.importorskip("reportlab")
    doc = load(_make_pdf(tmp_path / "文化站免费开放.pdf"))
    assert [(t.kind, t.title) for t in doc.tables] == [("project", "乡镇综合文化站免费开放")]
    t = doc.tables[0]
    check(t, {"kind": "project", "title": "乡镇综合文化站免费开放", "framework": "older", "year": 2023,
              "amounts": {"项目本年度金额": 64, "财政拨款": 64}, "narrative": {"年度绩效目标": "320场次"}})
    got = lines(t)
    assert len(got) == 2 + 30 + 4
    assert got[:2] == ["产出指标 > 数量指标 > 免费开放文化站数量 = 16个", "产出指标 > 数量指标 > 开展群众文化活动场次 = ≥320场次"]
    assert got[2 + 29] == "产出指标 > 数量指标 > 第30期文艺培训班参训人次 = ≥59人次"  # on page 2
    assert got[-4:] == [
        "产出指标 > 质量指标 > 活动安全事故发生次数 = 0次",
        "产出指标 > 时效指标 > 补助资金拨付及时率 = 100%",
        "效益指标 > 社会效益指标 > 群众参与文化活动人次 = ≥5万人次",
        "满意度指标 > 服务对象满意度指标 > 群众满意度 = ≥90%",
    ]
    assert {i.location.page for i in t.indicators} == {1, 2}


# ------------------------------------------------------------------ what must not be joined or split


def parse(text: str, name: str = "粘贴.txt") -> Document:
    return document_from_grid(parse_text(text, name))


def test_a_row_without_target_is_not_merged_with_the_next_indicator():
    """Browser copy: a 三级 whose 指标值 is empty, then the next 三级 of the block on its own line."""
    doc = parse("\n".join([
        "项目名称\t社区养老服务",
        "一级指标\t二级指标\t三级指标\t指标值",
        "产出指标\t数量指标\t服务老人数量",
        "服务时长\t≥2000小时",
        "质量指标\t服务合格率\t≥95%",
        "满意度指标\t服务对象满意度指标\t老人满意度",
        "满意",
    ]))
    assert lines(doc.tables[0]) == [
        "产出指标 > 数量指标 > 服务老人数量 = ",
        "产出指标 > 数量指标 > 服务时长 = ≥2000小时",
        "产出指标 > 质量指标 > 服务合格率 = ≥95%",
        "满意度指标 > 服务对象满意度指标 > 老人满意度 = 满意",  # a lone value under a row with none
    ]


def test_a_level_name_on_its_own_line_is_not_a_continuation():
    doc = parse("\n".join([
        "项目名称\t农田水利设施维修养护工程",
        "一级指标\t二级指标\t三级指标\t指标值",
        "产出指标\t数量指标\t维修养护泵站及渠系建筑物数量\t≥45座",
        "效益指标",
        "\t社会效益指标\t受益农田灌溉面积\t≥3.2万亩",
    ]))
    assert lines(doc.tables[0]) == [
        "产出指标 > 数量指标 > 维修养护泵站及渠系建筑物数量 = ≥45座",
        "效益指标 > 社会效益指标 > 受益农田灌溉面积 = ≥3.2万亩",
    ]


def test_labels_are_not_borrowed_from_the_next_block_in_top_aligned_tables():
    """Tables that write merged labels on the first row of their block (workbooks, web pages, most
    text): a row without a 二级 stays in the block above, whatever its name suggests."""
    doc = parse("\n".join([
        "项目名称\t农产品质量安全监管",
        "一级指标\t二级指标\t三级指标\t指标值",
        "产出指标\t数量指标\t例行监测样品数\t≥800批次",
        "\t\t农产品质量安全抽检批次\t≥300批次",
        "\t质量指标\t例行监测合格率\t≥98%",
        "效益指标\t\t监管对象违法案件数\t下降",
    ]))
    t = doc.tables[0]
    assert lines(t)[1] == "产出指标 > 数量指标 > 农产品质量安全抽检批次 = ≥300批次"
    assert lines(t)[3] == "效益指标 > 监管对象违法案件数 = 下降"  # no 二级: not 质量 of 产出


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("text", [
    "这是一段普通的文字，没有任何表格。\n第二行。",
    "一级指标\t二级指标\t三级指标\t指标值\n",
])
def test_no_table_gives_a_chinese_one_line_error(text):
    with pytest.raises(InputError) as e:
        load_document(text.encode(), "粘贴.txt")
    message = str(e.value)
    assert "\n" not in message and "未找到" in message and "粘贴.txt" in message


def test_many_tables_in_one_paste():
    """Hundreds of tables pasted one after another come out as that many tables, each complete."""
    one = (LAYOUTS / "beijing_browser_paste.txt").read_text(encoding="utf-8")
    doc = document_from_grid(parse_text("\n".join(one for _ in range(500)), "bulk.txt"))
    assert len(doc.tables) == 500
    assert all(lines(t) == BEIJING["indicators"] for t in doc.tables)
