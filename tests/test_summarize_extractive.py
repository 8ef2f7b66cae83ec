"""Extractive summaries: seeds, unseen devcorpus documents, provenance of every quote, data overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ragtool.answer.verify import verify_quote
from ragtool.config import Settings
from ragtool.index.corpus import Corpus
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import load_file
from ragtool.ingest.pipeline import ingest_paths, prepare
from ragtool.models import Chunk, Document, DocumentSummary, KeyFigure
from ragtool.summarize import summarize_document
from ragtool.zh.textnorm import t2s

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DEV = REPO / "evals" / "devcorpus" / "docs"


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def prepared(settings: Settings, path: Path) -> tuple[Document, list[Chunk]]:
    return prepare(load_file(path), Cleaner.from_settings(settings), settings)


def summary_of(settings: Settings, path: Path) -> DocumentSummary:
    doc, chunks = prepared(settings, path)
    return summarize_document(settings, doc, chunks)


def figures(s: DocumentSummary, indicator: str) -> list[KeyFigure]:
    return [f for f in s.key_figures if f.indicator == indicator]


def roles_of(s: DocumentSummary, name: str) -> set[str]:
    """Simplified roles recorded for a person (names compared in simplified form)."""
    return {t2s(o.role) for o in s.officials if t2s(o.name) == t2s(name)}


def test_seed_002_gdp_actual_and_target_and_mayor_from_the_index(settings: Settings) -> None:
    ingest_paths([seed("002")], settings)
    corpus = Corpus(settings)
    meta = corpus.documents()[0]
    doc = corpus.get_document(meta.doc_id)
    assert doc is not None
    s = summarize_document(settings, doc, corpus.store.chunks(meta.doc_id))
    gdp = figures(s, "地区生产总值")
    actual = {(f.value, f.year) for f in gdp if f.type == "actual"}
    assert ("411亿元", 2024) in actual
    assert ("增长3.6%", 2024) in actual
    target = [f for f in gdp if f.type == "target" and f.year == 2025]
    assert [(f.value, f.qualifier) for f in target] == [("增长5.5%", "左右")]
    assert "5.5%左右" in target[0].quote
    assert "镇长" in roles_of(s, "韩俊峰")
    assert s.engine == "extractive" and s.prompt_version.startswith("extractive-v1")
    assert "第十八届" in s.meeting and s.meeting.endswith("第八次会议")


def test_seed_001_programme_items_and_growth_target(settings: Settings) -> None:
    s = summary_of(settings, seed("001"))
    texts = [p.text for p in s.priorities]
    for item in ("投资扩能", "产业提质", "城市更新"):
        assert item in texts
    assert all("三大" in p.quote for p in s.priorities if p.text in ("投资扩能", "产业提质", "城市更新"))
    target = [f for f in figures(s, "地区生产总值") if f.type == "target" and f.year == 2024]
    assert [f.value for f in target] == ["5%"]
    assert "预期目标" in target[0].quote


def test_seed_004_traditional_names_stay_as_written(settings: Settings) -> None:
    s = summary_of(settings, seed("004"))
    zhao = [o for o in s.officials if o.name == "趙錫雄"]
    assert zhao, [o.name for o in s.officials]
    assert t2s(zhao[0].role) == "镇党委书记"
    assert "赵锡雄" not in [o.name for o in s.officials]  # not duplicated in another script
    assert t2s("鎮長") in roles_of(s, "賴文盛")


@pytest.mark.parametrize(
    ("doc", "name", "role"),
    [
        ("016_hanbin.txt", "向诗兵", "代区长"),
        ("014_changqi.txt", "陈思", "镇党委书记"),
        ("014_changqi.txt", "徐彦雄", "镇长"),
        ("013_zhangping.txt", "李毓文", "市长"),
        ("002_huizhou.txt", "陈宇航", "代市长"),
        ("010_xiangang.txt", "吳文泉", "副镇长"),
        ("012_heshui.txt", "曹偉源", "镇人大主席"),
        ("006_longhua_shenzhen.txt", "雷卫华", "区长"),
        ("020_wolong.txt", "吕志刚", "区委书记"),
    ],
)
def test_officials_on_unseen_documents(settings: Settings, doc: str, name: str, role: str) -> None:
    s = summary_of(settings, DEV / doc)
    assert role in roles_of(s, name), [(o.role, o.name) for o in s.officials]


def test_name_boundary_trap_is_not_swallowed(settings: Settings) -> None:
    s = summary_of(settings, DEV / "014_changqi.txt")
    names = {o.name for o in s.officials}
    assert "陈思" in names and "陈思为" not in names
    assert not any(o.name.startswith("候选") for o in s.officials)


@pytest.mark.parametrize(
    ("doc", "indicator", "value", "year", "type_", "qualifier"),
    [
        ("016_hanbin.txt", "地区生产总值", "440.5亿元", 2024, "actual", ""),
        ("016_hanbin.txt", "固定资产投资", "增长6.5%", 2024, "actual", ""),
        ("001_sanshui.txt", "地区生产总值", "增长5%", 2025, "target", "左右"),
        ("001_sanshui.txt", "一般公共预算收入", "与上年持平", 2025, "target", ""),
        ("002_huizhou.txt", "地区生产总值", "6136.4亿元", 2024, "actual", ""),
        ("002_huizhou.txt", "规模以上工业增加值", "增长7.5%", 2025, "target", "以上"),
        ("003_huizhou_2024.txt", "地区生产总值", "增长6%", 2024, "target", "以上"),
        ("004_panyu.txt", "地区生产总值", "2867亿元", 2023, "actual", ""),
        ("007_longhua_haikou.txt", "地区生产总值", "增长3.5%", 2024, "actual", ""),
        ("008_changan.txt", "地区生产总值", "1050.7亿元", 2024, "actual", ""),
        ("013_zhangping.txt", "一般公共预算收入", "9.1億元", 2024, "actual", "预计"),
    ],
)
def test_key_figures_on_unseen_documents(
    settings: Settings, doc: str, indicator: str, value: str, year: int, type_: str, qualifier: str
) -> None:
    s = summary_of(settings, DEV / doc)
    found = [(f.value, f.year, f.type, f.qualifier) for f in figures(s, indicator)]
    assert (value, year, type_, qualifier) in found, found


def test_no_figures_for_ratios_ranks_or_other_indicators(settings: Settings) -> None:
    s = summary_of(settings, DEV / "013_zhangping.txt")
    assert all("第" not in f.value and "位" not in f.value for f in s.key_figures)
    huizhou = summary_of(settings, DEV / "002_huizhou.txt")
    assert not [f for f in figures(huizhou, "地区生产总值") if f.value == "3.5%"]  # 占地区生产总值比重


@pytest.mark.parametrize(
    ("doc", "items"),
    [
        ("008_changan.txt", ["典型引领", "全域统筹", "民生提质"]),
        ("009_dongfeng.txt", ["经济强", "城乡美", "社会治"]),
    ],
)
def test_programme_items_on_unseen_documents(settings: Settings, doc: str, items: list[str]) -> None:
    texts = [p.text for p in summary_of(settings, DEV / doc).priorities]
    assert all(i in texts for i in items), texts


def test_numbered_work_plan_headings_are_priorities(settings: Settings) -> None:
    s = summary_of(settings, DEV / "007_longhua_haikou.txt")
    texts = [p.text for p in s.priorities]
    assert texts[:2] == ["深化改革、扩大开放", "扛稳优势、集群发展"]
    assert "改革创新优环境稳实体" not in texts  # a 2024 review heading, not a priority
    assert len(texts) == len(set(texts))  # the table of contents does not double them


@pytest.mark.parametrize(
    ("doc", "meeting"),
    [
        ("014_changqi.txt", "长岐镇第十八届人民代表大会第八次会议"),
        ("017_xiage.txt", "中国共产党下各镇第十六届代表大会第三次会议"),
        ("013_zhangping.txt", "漳平市第十八屆人民代表大會第四次會議"),
    ],
)
def test_meeting_name(settings: Settings, doc: str, meeting: str) -> None:
    assert summary_of(settings, DEV / doc).meeting == meeting


def test_abstract_is_leading_text_and_short(settings: Settings) -> None:
    s = summary_of(settings, DEV / "005_nanshan.txt")
    assert s.abstract.startswith("1月27日上午,南山区八届人大四次会议开幕。")
    assert 0 < len(s.abstract) <= 200


ALL_DOCS = sorted(SEEDS.glob("*.txt")) + sorted(DEV.glob("*.txt"))


@pytest.mark.parametrize("path", ALL_DOCS, ids=[p.name for p in ALL_DOCS])
def test_every_quote_verifies_against_its_chunk(settings: Settings, path: Path) -> None:
    doc, chunks = prepared(settings, path)
    s = summarize_document(settings, doc, chunks)
    by_id = {c.chunk_id: c for c in chunks}
    for item in [*s.officials, *s.key_figures, *s.priorities]:
        assert item.chunk_id in by_id, item
        cite = verify_quote(item.quote, by_id[item.chunk_id], doc.meta.title)
        assert cite is not None and cite.quote == item.quote, item
        assert doc.text[cite.start : cite.end] == item.quote
    DocumentSummary.model_validate(s.model_dump())


def test_user_data_files_override_the_bundled_tables(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("2025年工作回顾\n2025年，全镇森林覆盖率达到65.2%，地区生产总值增长5%。\n", encoding="utf-8")
    before = summary_of(settings, path)
    assert not figures(before, "森林覆盖率") and figures(before, "地区生产总值")
    data = tmp_path / "data"
    data.mkdir()
    bundled = (REPO / "ragtool" / "data" / "lexicon.toml").read_text(encoding="utf-8")
    (data / "lexicon.toml").write_text(bundled + '\n[indicator."森林覆盖率"]\nforms = ["森林覆盖率"]\n', encoding="utf-8")
    custom = settings.model_copy(update={"data_dir": data})
    after = summary_of(custom, path)
    assert [(f.value, f.year, f.type) for f in figures(after, "森林覆盖率")] == [("65.2%", 2025, "actual")]
    assert after.prompt_version != before.prompt_version  # resume sees the rules changed


# ---- a provincial work report, written for these tests -------------------------------------------------------

PROVINCIAL = """Title: 2026年江南省政府工作报告
Date: 2026-02-03

政府工作报告
——2026年1月20日在江南省第九届
人民代表大会第三次会议上
江南省省长 林 涛
各位代表：
现在，我代表省人民政府，向大会报告工作，请予审议。
一、2025年和“十四五”时期工作回顾
过去一年，全省上下顶压前行。
一是经济运行稳中有进。全省地区生产总值6.2万亿元、增长5.3%，一般公共预算收入增长2%。临江经济总量突破3000亿元，海洋生产总值增长6%左右。
各位代表！经过五年接续奋斗，“十四五”顺利收官。五年来，地区生产总值从4.1万亿元提高到6.2万亿元，年均增长5.5%，人均地区生产总值达到9万元。
二、“十五五”时期主要目标任务
“十五五”时期经济社会发展的
主要目标
是：地区生产总值年均增长5%左右，常住人口城镇化率从2025年的66.5%提高到70%左右。
三、2026年工作安排
今年是“十五五”开局之年，要为“十五五”开好局、起好步。
今年经济社会发展的
主要预期目标
是：地区生产总值增长4.5%—5%，在实际工作中努力争取更好结果；地方一般公共预算收入增长3%左右；城镇新增就业60万人以上，城镇调查失业率5.5%左右，居民消费价格涨幅2%左右，粮食产量稳定在600亿斤以上。
（一）扩大内需。社会消费品零售总额增长5%左右。
"""


@pytest.fixture()
def provincial(settings: Settings, tmp_path: Path) -> DocumentSummary:
    path = tmp_path / "jiangnan.txt"
    path.write_text(PROVINCIAL, encoding="utf-8")
    return summary_of(settings, path)


def test_provincial_speaker_comes_from_the_byline(provincial: DocumentSummary) -> None:
    assert [(o.role, o.name) for o in provincial.officials] == [("省长", "林 涛")]  # as written, space and all
    assert "江南省省长 林 涛" in provincial.officials[0].quote


def test_provincial_gdp_of_the_review_year(provincial: DocumentSummary) -> None:
    gdp_2025 = {(f.value, f.type) for f in figures(provincial, "地区生产总值") if f.year == 2025}
    assert gdp_2025 == {("6.2万亿元", "actual"), ("增长5.3%", "actual")}  # not 临江's 经济总量 nor 海洋生产总值


def test_provincial_gdp_target_is_the_years_not_the_five_year_average(provincial: DocumentSummary) -> None:
    gdp = figures(provincial, "地区生产总值")
    assert [(f.value, f.qualifier) for f in gdp if f.year == 2026] == [("增长4.5%—5%", "")]
    assert all(f.type == "target" for f in gdp if f.year == 2026)
    plan = [f for f in gdp if "十五五" in f.qualifier]
    assert [(f.value, f.year, f.type, f.qualifier) for f in plan] == [("年均增长5%", None, "target", "十五五、左右")]
    past = {(f.value, f.year, f.type) for f in gdp if "十四五" in f.qualifier}
    assert past == {("6.2万亿元", None, "actual"), ("年均增长5.5%", None, "actual")}  # the value reached, not 4.1


def test_provincial_other_targets_of_the_year(provincial: DocumentSummary) -> None:
    targets = {(f.indicator, f.value, f.qualifier) for f in provincial.key_figures if f.year == 2026 and f.type == "target"}
    assert {
        ("一般公共预算收入", "增长3%", "左右"),
        ("城镇新增就业", "60万人", "以上"),
        ("城镇调查失业率", "5.5%", "左右"),
        ("居民消费价格", "涨幅2%", "左右"),
        ("粮食产量", "600亿斤", "以上"),
        ("社会消费品零售总额", "增长5%", "左右"),
    } <= targets, targets
    urban = figures(provincial, "常住人口城镇化率")  # in the 十五五 section: a plan target, not a 2026 one
    assert [(f.value, f.year, f.type, f.qualifier) for f in urban] == [("70%", None, "target", "十五五、左右")]
    per_head = figures(provincial, "人均地区生产总值")  # its own indicator, never GDP
    assert [(f.value, f.qualifier) for f in per_head] == [("9万元", "十四五")]


def test_exported_json_schema_is_in_sync() -> None:
    exported = json.loads((REPO / "schemas" / "document_summary.schema.json").read_text(encoding="utf-8"))
    assert exported == DocumentSummary.model_json_schema(), (
        "regenerate schemas/document_summary.schema.json from DocumentSummary.model_json_schema()"
    )


@pytest.mark.parametrize(("prefix", "expected"), [
    ("000", "聚焦统筹好有效市场与有为政府的关系"),
    ("003", "聚焦新产业新动能"),
    ("004", "實施環境提升行動"),
])
def test_party_meetings_have_priorities_too(settings: Settings, prefix: str, expected: str) -> None:
    s = summary_of(settings, seed(prefix))
    assert s.kind in ("党代会", "党委会议")
    texts = [p.text for p in s.priorities]
    assert expected in texts, texts
    doc, chunks = prepared(settings, seed(prefix))
    by_id = {c.chunk_id: c for c in chunks}
    assert all(verify_quote(p.quote, by_id[p.chunk_id], s.title) for p in s.priorities)


def test_every_titled_official_is_named(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "meeting.txt"
    path.write_text("Title: 东坑镇召开镇委(扩大)会议\n\n会议由镇委书记李建明主持,镇委副书记、镇长王志强参加会议。"
                    "镇人大主席陈小华出席。\n", encoding="utf-8")
    s = summary_of(settings, path)
    assert roles_of(s, "李建明") == {"镇委书记"} and roles_of(s, "王志强") == {"镇长"}
    assert roles_of(s, "陈小华") == {"镇人大主席"}


def test_a_figure_value_is_split_into_number_unit_and_change(settings: Settings) -> None:
    s = summary_of(settings, seed("002"))
    gdp = figures(s, "地区生产总值")
    amount = next(f for f in gdp if f.year == 2024 and f.unit == "亿元")
    assert (amount.number, amount.unit, amount.change, amount.as_written) == (411.0, "亿元", "+3.6%", "411亿元")
    growth = next(f for f in gdp if f.year == 2024 and f.unit == "%")
    assert growth.number is None and growth.change == "+3.6%" and growth.as_written == "增长3.6%"
    assert all(f.as_written == f.value for f in s.key_figures)


def test_a_decline_is_a_negative_change(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Title: 2025年某镇政府工作报告\n\n2024年,全镇地区生产总值120亿元,同比下降2.1%。\n", encoding="utf-8")
    gdp = figures(summary_of(settings, path), "地区生产总值")
    assert [(f.number, f.change) for f in gdp] == [(120.0, "-2.1%"), (None, "-2.1%")]
