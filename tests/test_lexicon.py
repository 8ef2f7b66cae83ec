"""The indicator lexicon (lexicon.toml) and the time frames read with its cue words (ragtool.zh.timeframe)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.errors import UsageError
from ragtool.summarize.view import make_view
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.timeframe import TimeCues, TimeFrame, Timeline, frame_at

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "ragtool" / "data" / "lexicon.toml"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load(Settings())


@pytest.mark.parametrize(
    ("term", "canonical"),
    [
        ("GDP", "地区生产总值"), ("经济总量", "地区生产总值"), ("社零", "社会消费品零售总额"), ("固投", "固定资产投资"),
        ("CPI", "居民消费价格"), ("城镇化率", "常住人口城镇化率"), ("调查失业率", "城镇调查失业率"),
        ("粮食总产量", "粮食产量"), ("研发投入强度", "研发经费投入强度"), ("规上工业增加值", "规模以上工业增加值"),
        ("单位GDP能耗", "单位地区生产总值能耗"), ("货物进出口总额", "进出口总额"), ("外贸", "进出口总额"),
        ("一般公共预算收入", "一般公共预算收入"), ("城镇新增就业", "城镇新增就业"), ("社會消費品零售總額", "社会消费品零售总额"),
    ],
)
def test_every_form_names_its_canonical_indicator(lex: Lexicon, term: str, canonical: str) -> None:
    assert lex.canonical(term) == canonical


def test_canonical_name_comes_first_and_informal_forms_are_for_questions_only(lex: Lexicon) -> None:
    forms = lex.question_forms()
    assert all(f[0] == name for name, f in forms.items())
    assert "外贸" in forms["进出口总额"] and "外贸" not in lex.document_forms()  # too loose to find figures with
    assert lex.document_forms()["地方一般公共预算收入"] == "一般公共预算收入"
    assert lex.abbreviations["规上"] == "规模以上"
    assert lex.canonical("不是指标") is None


def test_longer_forms_are_other_indicators(lex: Lexicon) -> None:
    doc = lex.document_forms()
    assert doc["单位地区生产总值能耗"] != "地区生产总值" and doc["人均地区生产总值"] != "地区生产总值"
    assert lex.leading_indicator("地方一般公共预算收入增长3%左右") == ("地方一般公共预算收入", "一般公共预算收入")
    assert lex.leading_indicator("增长3%") is None


# What users could type before the lexicon replaced synonyms.toml: each form must still name the same indicator.
OLD_SYNONYMS = {
    "地区生产总值": ["地区生产总值", "GDP", "国内生产总值", "生产总值", "经济增长", "经济总量", "经济增速"],
    "规模以上工业增加值": ["规模以上工业增加值", "规上工业增加值"],
    "规模以上工业总产值": ["规模以上工业总产值", "规上工业总产值", "工业总产值"],
    "社会消费品零售总额": ["社会消费品零售总额", "社零", "社零总额", "社消零", "消费品零售总额"],
    "固定资产投资": ["固定资产投资", "固投"],
    "一般公共预算收入": ["一般公共预算收入", "地方一般公共预算收入", "财政收入", "财政一般预算收入", "地方财政一般预算收入",
                 "一般预算收入"],
    "一般公共预算支出": ["一般公共预算支出", "财政支出"],
    "税收收入": ["税收收入", "税收"],
    "进出口总额": ["进出口总额", "外贸进出口总额", "进出口", "外贸进出口", "外贸"],
    "实际利用外资": ["实际利用外资", "实际使用外资", "利用外资", "外资"],
    "居民人均可支配收入": ["居民人均可支配收入", "人均可支配收入", "居民收入", "可支配收入"],
    "研发经费": ["研发经费", "R&D经费", "R&D", "研发投入", "研发经费投入"],
    "城镇新增就业": ["城镇新增就业", "新增就业"],
    "工业投资": ["工业投资"],
    "高新技术企业": ["高新技术企业", "高企"],
    "专精特新企业": ["专精特新企业", "专精特新"],
    "商事主体": ["商事主体", "市场主体", "经营主体"],
    "空气质量优良率": ["空气质量优良率", "空气质量优良天数比例", "空气优良率", "空气质量"],
}


@pytest.mark.parametrize("canonical", sorted(OLD_SYNONYMS))
def test_nothing_of_the_old_synonyms_table_is_lost(lex: Lexicon, canonical: str) -> None:
    forms = lex.question_forms()[canonical]
    assert forms[0] == canonical
    assert set(OLD_SYNONYMS[canonical]) <= set(forms)
    assert {lex.canonical(f) for f in OLD_SYNONYMS[canonical]} == {canonical}
    assert lex.abbreviations["规上"] == "规模以上" and lex.abbreviations["人代会"] == "人民代表大会"


def test_a_users_copy_overrides_the_bundled_lexicon(tmp_path: Path) -> None:
    (tmp_path / "lexicon.toml").write_text(
        BUNDLED.read_text(encoding="utf-8") + '\n[indicator."森林覆盖率"]\nforms = ["森林覆盖率"]\n', encoding="utf-8")
    custom = Lexicon.load(Settings(data_dir=tmp_path))
    assert custom.canonical("森林覆盖率") == "森林覆盖率"
    assert custom.version != Lexicon.load(Settings()).version


def test_a_malformed_indicator_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "lexicon.toml").write_text('version = "x"\n[indicator]\n"地区生产总值" = "GDP"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="forms"):
        Lexicon.load(Settings(data_dir=tmp_path))


# ---- time frames -------------------------------------------------------------------------------------------------

REPORT = """政府工作报告
江南省省长 林海涛
一、2025年和“十四五”时期工作回顾
过去一年，全省地区生产总值增长5.1%，一般公共预算收入增长2%。
五年来，我们砥砺奋进，地区生产总值年均增长5.3%。
二、“十五五”时期主要目标任务
《纲要（草案）》提出，地区生产总值年均增长5%左右，城镇化率达到70%。
三、2026年工作安排
今年是“十五五”开局之年，要为“十五五”开好局。
主要预期目标是：地区生产总值增长5%左右，居民消费价格涨幅2%左右。
（一）扩大内需。社会消费品零售总额增长5%。
"""


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return Timeline.build(make_view(REPORT).text, 2026, TimeCues.from_lexicon(Lexicon.load(Settings())))


def frame_after(tl: Timeline, phrase: str, nth: int = 0) -> TimeFrame:
    pos = -1
    for _ in range(nth + 1):
        pos = tl.text.index(phrase, pos + 1)
    return tl.at(pos + len(phrase))


def test_the_review_year_is_a_result(timeline: Timeline) -> None:
    f = frame_after(timeline, "增长5.1%")
    assert (f.kind, f.year, f.role) == ("annual", 2025, "actual")


def test_a_five_year_average_of_the_past_plan(timeline: Timeline) -> None:
    f = frame_after(timeline, "年均增长5.3%")
    assert (f.kind, f.years, f.plan, f.role, f.average) == ("plan", (2021, 2025), "十四五", "actual", True)


def test_the_new_plans_average_is_a_plan_target_not_a_2026_one(timeline: Timeline) -> None:
    f = frame_after(timeline, "年均增长5%左右")
    assert (f.kind, f.year, f.years, f.plan, f.role) == ("plan", None, (2026, 2030), "十五五", "target")
    assert frame_after(timeline, "达到70%").plan == "十五五"  # the whole plan section, not only 年均


def test_the_years_targets_under_its_heading_despite_the_plan_words_before_them(timeline: Timeline) -> None:
    for phrase in ("增长5%左右", "涨幅2%左右"):
        f = frame_after(timeline, phrase, nth=1 if phrase == "增长5%左右" else 0)
        assert (f.kind, f.year, f.role) == ("annual", 2026, "target"), phrase
    sub = frame_after(timeline, "零售总额增长5%")  # a numbered subsection inherits its section's year
    assert (sub.year, sub.role) == (2026, "target")


@pytest.mark.parametrize(
    ("text", "kind", "year", "role"),
    [
        ("去年地区生产总值增长5%。", "annual", 2025, "actual"),
        ("今年地区生产总值预期目标增长5%。", "annual", 2026, "target"),
        ("明年力争增长6%。", "annual", 2027, "target"),
        ("比上年增长5%。", "annual", 2026, "actual"),  # 上年 after 比 is a comparison (a result), not the year
        ("2020年以来累计增长30%。", "annual", 2026, "actual"),  # a start, not the figure's year
        ("到2030年城镇化率达到70%。", "annual", 2030, "target"),
        ("“十四五”时期年均增长5.5%。", "plan", None, "actual"),
        ("2021—2025年年均增长5.5%。", "plan", None, "actual"),
        ("近3年年均增长6%。", "plan", None, "actual"),
        ("今年是“十五五”开局之年,地区生产总值增长5%左右。", "annual", 2026, None),  # the plan describes the year
        ("过去一年增长6%。", "annual", 2025, "actual"),
        ("今后五年年均增长5%。", "plan", None, "target"),
        ("2026年1月20日在江南省第九届人民代表大会上。", "annual", 2026, None),
    ],
)
def test_sentence_level_time_words(text: str, kind: str, year: int | None, role: str | None) -> None:
    f = frame_at(text, text.index("。"), 2026)
    assert (f.kind, f.year, f.role) == (kind, year, role)


def test_spans_of_years() -> None:
    """The years a plan frame covers: from a plan's name, 近N年, a span word, or the plan the document's year opens."""
    assert frame_at("“十五五”时期年均增长5%。", 14, 2026).years == (2026, 2030)
    assert frame_at("近3年年均增长6%。", 9, 2026).years == (2023, 2025)
    assert frame_at("五年来,年均增长6%。", 9, 2026).years == (2021, 2025)
    assert frame_at("《纲要》提出年均增长5%。", 12, 2026).plan == "十五五"  # the plan the document's year opens


def test_without_a_document_year_relative_words_say_nothing() -> None:
    f = frame_at("今年地区生产总值增长5%。", 10, None)
    assert f.kind == "unknown" and f.year is None
