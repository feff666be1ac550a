"""Synthetic performance-target tables for benchmarks and robustness tests.

Tables are TSV text in the layouts of real published tables: the Henan
layout of the reference sample (header rows, narrative rows, 投入与目标管理 /
产出目标 / 效果目标 / 影响力目标) and the common older layout (产出指标 /
效益指标 / 满意度指标), indicator trees with merged cells written once. A
seeded share of tables carries one or two known defects, recorded as truth:

- vague:        a 效益 target written as an abstract goal (有效提升, 明显改善 …)
- missing_l2:   a declared 二级 row with no 三级 indicator under it
- narrative:    the 项目概况 quantity contradicts the 数量 indicator
- cost:         quantity × unit cost disagrees with 本年度金额
- stale_year:   the 实施计划 dates fall two years before the budget year

    python benchmarks/synth.py OUT_DIR --tables 200 --files 20 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

DEFECTS = ("vague", "missing_l2", "narrative", "cost", "stale_year")

PLACES = ("城关", "河阳", "青山", "临川", "东坪", "西岭", "南湖", "北塘", "金沙", "石门", "柳林", "白水",
          "桃源", "龙泉", "新安", "长乐", "永和", "安平", "清溪", "凤台")
BUREAUS = ("交通运输局", "农业农村局", "教育局", "卫生健康委员会", "自然资源局", "水利局", "民政局",
           "文化和旅游局", "住房和城乡建设局", "人力资源和社会保障局", "林业局", "档案馆")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚")
VAGUE = ("有效提升", "明显改善", "显著提高", "进一步提高", "有所提高", "效果明显", "有效促进")


@dataclass(frozen=True)
class Kind:
    """A project type: its name pattern and the indicators that suit it."""

    name: str  # "{place}…" pattern
    thing: str  # what the main quantity counts
    unit: str  # its unit
    qty: tuple[int, int]
    price: tuple[int, int]  # 元 per unit
    verb: str
    extra_outputs: tuple[tuple[str, str], ...]  # (三级, target) more 数量 indicators
    quality: tuple[tuple[str, str], ...]
    timeliness: tuple[tuple[str, str], ...]
    social: tuple[tuple[str, str], ...]
    economic: tuple[tuple[str, str], ...]
    sustainable: tuple[tuple[str, str], ...]
    satisfaction: str


KINDS: tuple[Kind, ...] = (
    Kind("{place}镇农村公路养护工程", "农村公路养护里程", "公里", (8, 60), (18000, 60000), "养护",
         (("维修桥涵数量", "≥{n}座"), ("设置安全警示标志", "≥{n}块")),
         (("工程验收合格率", "≥95%"), ("路面完好率", "≥90%")),
         (("工程完工时间", "≤{year}年11月底"),),
         (("受益群众人数", "≥{n}人"), ("群众出行时间缩短", "≥{n}分钟")),
         (("沿线农产品运输成本降低", "≥{n}万元"),),
         (("道路设计使用年限", "≥15年"),), "沿线群众满意度"),
    Kind("{place}片区干部教育培训", "培训人次", "人次", (120, 900), (300, 1500), "开展培训",
         (("培训课时", "≥{n}学时"), ("培训班次", "≥{n}期")),
         (("培训合格率", "≥95%"), ("培训出勤率", "≥98%")),
         (("培训完成时间", "≤{year}年12月底"),),
         (("参训人员履职能力", "≥90%合格"),),
         (),
         (("培训成果转化机制", "建立并运行"),), "参训学员满意度"),
    Kind("{place}办公设备购置", "办公设备", "台", (10, 120), (2500, 9000), "购置",
         (("采购批次", "≤{n}批"),),
         (("设备验收合格率", "=100%"), ("设备故障率", "≤2%")),
         (("采购完成时间", "≤{year}年6月底"),),
         (("业务办理平均时长", "≤{n}分钟"),),
         (),
         (("设备使用年限", "≥6年"),), "使用人员满意度"),
    Kind("{place}村高标准农田建设", "高标准农田", "亩", (500, 6000), (1200, 3000), "建设",
         (("新建灌排渠道", "≥{n}公里"), ("新建机耕路", "≥{n}公里")),
         (("工程验收合格率", "=100%"),),
         (("项目完工时间", "≤{year}年10月底"),),
         (("受益农户数", "≥{n}户"),),
         (("亩均增产粮食", "≥{n}公斤"),),
         (("工程设计使用年限", "≥20年"),), "受益农户满意度"),
    Kind("{place}政务信息系统运维", "运维信息系统", "个", (3, 25), (20000, 80000), "运维",
         (("巡检次数", "≥{n}次"),),
         (("系统正常运行率", "≥99%"), ("数据备份成功率", "=100%")),
         (("故障响应时间", "≤2小时"),),
         (("网上业务可办率", "≥{n}%"),),
         (),
         (("运维管理制度", "健全并执行"),), "系统使用人员满意度"),
    Kind("{place}档案数字化加工", "档案数字化", "万页", (5, 80), (3000, 8000), "完成",
         (("档案目录著录", "≥{n}条"),),
         (("数字化加工合格率", "≥99%"),),
         (("加工完成时间", "≤{year}年11月底"),),
         (("档案查阅平均用时", "≤{n}分钟"),),
         (),
         (("数字档案保存年限", "≥30年"),), "档案利用者满意度"),
)


@dataclass
class SynthTable:
    title: str
    unit: str
    year: int
    text: str
    defects: list[dict] = field(default_factory=list)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _fill(target: str, rng: random.Random, year: int) -> str:
    return target.replace("{n}", str(rng.choice((2, 3, 5, 8, 10, 12, 15, 20, 30, 50, 80, 120, 300, 800, 1500))))\
        .replace("{year}", str(year))


def make_table(rng: random.Random, unit: str, year: int, defects: tuple[str, ...] = (),
               used_titles: set[str] | None = None) -> SynthTable:
    """One project table with the given defects seeded (and recorded); titles in `used_titles` are avoided."""
    kind = rng.choice(KINDS)
    used = used_titles if used_titles is not None else set()
    for phase in ("", "（二期）", "（三期）", "（续建）", "（四期）"):
        title = kind.name.format(place=rng.choice(PLACES)) + rng.choice(("", "项目", "经费", "专项资金")) + phase
        if title not in used:
            break
    used.add(title)
    qty = rng.randint(*kind.qty)
    price = rng.randint(*kind.price) // 10 * 10
    amount = round(qty * price / 10000, 2)
    truth: list[dict] = []
    budget = amount
    if "cost" in defects:
        budget = round(amount * rng.choice((0.6, 0.7, 1.3, 1.5)), 2)
        truth.append({"defect": "cost", "detail": f"{qty}{kind.unit} × {price}元 = {amount}万元 ≠ {budget}万元"})
    stated_qty = qty
    if "narrative" in defects:
        stated_qty = qty + rng.choice((-1, 1)) * max(1, qty // rng.choice((4, 5, 10)))
        truth.append({"defect": "narrative", "detail": f"项目概况 {stated_qty}{kind.unit} vs 指标 {qty}{kind.unit}"})
    plan_year = year - 2 if "stale_year" in defects else year
    if plan_year != year:
        truth.append({"defect": "stale_year", "detail": f"实施计划写 {plan_year} 年"})

    overview = (f"为落实{unit}年度重点工作，本项目计划{kind.verb}{kind.thing}{stated_qty}{kind.unit}，"
                f"按每{kind.unit}{price}元测算，需资金{budget}万元。项目由{unit}组织实施，"
                f"{rng.choice(('严格执行政府采购程序', '实行项目法人负责制', '按照相关管理办法规范实施'))}，"
                f"确保资金安全和项目质量。")
    plan = f"{plan_year}年3月启动，{plan_year}年6月底支付50%，{plan_year}年12月底前全部支付完毕。"
    goal = (f"{year}年完成{kind.thing}{qty}{kind.unit}，质量达到验收标准，按期完工，"
            f"{kind.satisfaction}达到90%以上。")
    henan = rng.random() < 0.5
    rows: list[tuple[str, str, str, str]] = []  # (一级, 二级, 三级, 指标值) before merging

    def add(l1: str, l2: str, items) -> None:
        for name, target in items:
            rows.append((l1, l2, name, _fill(target, rng, year)))

    out1, eff1, sat1 = ("产出目标", "效果目标", "满意度") if henan else ("产出指标", "效益指标", "满意度指标")
    q2, qa2, t2, c2 = ("数量", "质量", "时效", "成本") if henan else ("数量指标", "质量指标", "时效指标", "成本指标")
    soc2, eco2, sus2 = ("社会效益", "经济效益", "可持续影响") if henan else (
        "社会效益指标", "经济效益指标", "可持续影响指标")
    if henan:
        add("投入与目标管理", "投入管理", (("预算执行率", "=100%"), ("预算资金到位情况", "=100%")))
        add("投入与目标管理", "财务管理", (("财务管理制度健全性", "健全"), ("资金使用规范性", "合规")))
    add(out1, q2, ((kind.thing, f"={qty}{kind.unit}" if henan else f"≥{qty}{kind.unit}"),
                   *rng.sample(kind.extra_outputs, k=min(len(kind.extra_outputs), rng.randint(1, 2)))))
    add(out1, qa2, kind.quality)
    if "missing_l2" in defects:
        rows.append((out1, t2, "", ""))
        truth.append({"defect": "missing_l2", "detail": f"{out1} > {t2} 无三级指标"})
    else:
        add(out1, t2, kind.timeliness)
    add(out1, c2, ((f"每{kind.unit}{kind.thing}成本", f"≤{price}元/{kind.unit}"),))
    social = list(kind.social)
    if "vague" in defects:
        vague = rng.choice(VAGUE)
        social.append((f"{kind.thing}服务水平", vague))
        truth.append({"defect": "vague", "detail": f"{kind.thing}服务水平: {vague}"})
    add(eff1, soc2, social)
    add(eff1, eco2, kind.economic)
    add(eff1, sus2, kind.sustainable)
    if henan:
        add(eff1, "满意度", ((kind.satisfaction, "≥90%"),))
        add("影响力目标", "长效管理", (("长效管理机制健全性", "健全"),))
    else:
        add(sat1, "服务对象满意度指标", ((kind.satisfaction, "≥90%"),))

    lines = [f"{unit}支出项目绩效目标表" if henan else "项目支出绩效目标申报表", "",
             f"({year}年)" if henan else f"({year}年度)", ""]
    if henan:
        lines += [
            f"项目名称\t{title}\t\t",
            f"单位编码\t{rng.randint(100000, 999999)}\t资金用途\t业务类",
            f"项目负责人\t{_person(rng)}\t联系人\t{_person(rng)}",
            f"联系电话\t0391-66{rng.randint(10000, 99999)}\t\t",
            f"开始时间\t{year}-01-01\t结束时间\t{year}-12-31",
            f"项目总金额\t{budget:.2f}\t项目本年度金额\t{budget:.2f}",
            f"上年度项目总金额\t0.00\t项目上年度金额\t{rng.choice((0.0, round(budget * 0.9, 2))):.2f}",
            "项目详细信息\t\t\t",
            f"项目概况\t<p>{overview}</p>\t\t",
            f"立项依据\t<p>根据{unit}{year}年工作要点及相关文件要求设立本项目。</p>\t\t",
            f"项目实施计划\t{plan}\t\t",
            "项目绩效目标\t\t\t",
            f"项目总目标\t{goal}\t\t",
            f"年度绩效目标\t{goal}\t\t",
            "一级指标\t二级指标\t三级指标\t目标值",
        ]
    else:
        lines += [
            f"项目名称\t{title}\t项目负责人\t{_person(rng)}",
            f"主管部门\t{unit}\t实施单位\t{unit}",
            f"资金情况（万元）\t年度资金总额：\t{budget}万元",
            f"项目概况\t{overview}",
            f"项目实施计划\t{plan}",
            f"年度目标\t{goal}",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
        ]
    prev1 = prev2 = None
    for l1, l2, l3, value in rows:
        c1 = l1 if l1 != prev1 else ""
        c2_ = l2 if (l1, l2) != (prev1, prev2) else ""
        prev1, prev2 = l1, l2
        cells = [c1, c2_, l3, value]
        lines.append("\t".join(cells if henan else ["", *cells]))
    lines.append("")
    for t in truth:
        t["table"] = title
    return SynthTable(title=title, unit=unit, year=year, text="\n".join(lines) + "\n", defects=truth)


def generate(out_dir: str | Path, tables: int = 200, files: int = 20, seed: int = 0,
             defect_rate: float = 0.6) -> list[dict]:
    """Write `tables` tables into `files` TSV files under out_dir; returns the truth records."""
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = max(1, min(files, tables))
    sizes = [tables // files + (1 if i < tables % files else 0) for i in range(files)]
    truth: list[dict] = []
    for i, size in enumerate(sizes):
        unit = rng.choice(PLACES) + ("县" if rng.random() < 0.6 else "市") + rng.choice(BUREAUS)
        year = rng.choice((2021, 2022, 2023, 2024))
        folder = out / f"batch{i % 10:02d}"
        folder.mkdir(exist_ok=True)
        name = folder / f"{i:05d}_{unit}_{year}.tsv"
        parts, titles = [], set()
        for _ in range(size):
            chosen: tuple[str, ...] = ()
            if rng.random() < defect_rate:
                chosen = tuple(rng.sample(DEFECTS, k=rng.choice((1, 1, 2))))
            t = make_table(rng, unit, year, chosen, titles)
            parts.append(t.text)
            truth.extend({"file": str(name.relative_to(out)), **d} for d in t.defects)
        name.write_text("\n".join(parts), encoding="utf-8")
    return truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--tables", type=int, default=200)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--defect-rate", type=float, default=0.6)
    args = ap.parse_args()
    truth = generate(args.out_dir, args.tables, args.files, args.seed, args.defect_rate)
    (Path(args.out_dir) / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                                  encoding="utf-8")
    print(f"{args.tables} tables in {args.files} files, {len(truth)} seeded defects → {args.out_dir}")


if __name__ == "__main__":
    main()
