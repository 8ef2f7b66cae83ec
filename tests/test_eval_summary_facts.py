"""Summary facts in both formats: per document (figures/officials/priorities) and per field (official, gdp_2025,
gdp_target_2026, other_target_2026), checked against summaries written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.errors import UsageError
from ragtool.eval.summary import FieldFact, SummaryFacts, check_summary, indicator_canon, load_summary_facts
from ragtool.models import DocumentSummary, KeyFigure, Official


@pytest.fixture(scope="module")
def canon() -> dict[str, str]:
    return indicator_canon(Settings())


def fig(indicator: str, value: str, year: int | None, type_: str = "target", qualifier: str = "", unit: str = "%"
        ) -> KeyFigure:
    return KeyFigure(indicator=indicator, value=value, unit=unit, year=year, type=type_, qualifier=qualifier,  # type: ignore[arg-type]
                     quote="q")


def summary(officials: list[tuple[str, str]] = (), figures: list[KeyFigure] = ()) -> DocumentSummary:  # type: ignore[assignment]
    return DocumentSummary(doc_id="d", officials=[Official(role=r, name=n) for r, n in officials],
                           key_figures=list(figures))


def found(fact: FieldFact, s: DocumentSummary, canon: dict[str, str]) -> bool:
    (result,) = check_summary(fact, s, canon)
    assert result.what == fact.field and result.expected == fact.value
    return result.found


def fact(field: str, value: str) -> FieldFact:
    return FieldFact(doc="x.txt", field=field, value=value, quote=value)  # type: ignore[arg-type]


def test_both_formats_load_from_one_file_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "summary_facts.jsonl"
    lines = [
        {"doc": "a.txt", "figures": [{"indicator": "地区生产总值", "value": "5%", "year": 2025, "type": "target"}],
         "officials": [], "priorities": []},
        {"doc": "b.txt", "field": "official", "value": "省长 林海涛", "quote": "江南省省长 林海涛"},
        {},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines[:2]) + "\n\n", encoding="utf-8")
    loaded = load_summary_facts(path)
    assert isinstance(loaded[0], SummaryFacts) and isinstance(loaded[1], FieldFact)
    assert loaded[1].field == "official"
    path.write_text(json.dumps(lines[1], ensure_ascii=False) + '\n{"doc": "c.txt", "field": "mayor", "value": "x"}\n',
                    encoding="utf-8")
    with pytest.raises(UsageError, match="line 2"):
        load_summary_facts(path)


@pytest.mark.parametrize(
    ("value", "officials", "ok"),
    [
        ("省长 林海涛", [("省长", "林海涛")], True),
        ("市长 韩 平", [("市长", "韩平")], True),  # spaces inside a name do not count
        ("市长 韩平", [("市长", "韩 平")], True),
        ("省长\u3000杨光明", [("省长", "杨光明")], True),  # an ideographic space after the title
        ("主席 艾山·买买提", [("自治区主席", "艾山•买买提")], True),  # any middle dot, a fuller title
        ("主席 艾山·买买提", [("自治区主席", "艾山・买买提")], True),
        ("省长 林海涛", [("省長", "林海濤")], True),  # traditional script
        ("省长 林海涛", [("副省长", "林海涛")], False),  # a deputy is not the governor
        ("省长 林海涛", [("省长", "林海")], False),
        ("省长 林海涛", [("市长", "林海涛")], False),
    ],
)
def test_official_needs_the_same_title_and_name(canon: dict[str, str], value: str, officials: list[tuple[str, str]],
                                                ok: bool) -> None:
    assert found(fact("official", value), summary(officials), canon) is ok


def test_gdp_2025_needs_every_number_in_actual_figures_of_2025(canon: dict[str, str]) -> None:
    both = [fig("地区生产总值", "5.2万亿元", 2025, "actual", unit="万亿元"), fig("地区生产总值", "增长5.4%", 2025, "actual")]
    assert found(fact("gdp_2025", "5.2万亿元、增长5.4%"), summary(figures=both), canon)
    assert found(fact("gdp_2025", "52000亿元，增长5.4%"), summary(figures=both), canon)  # amounts compare rescaled
    assert not found(fact("gdp_2025", "5.2万亿元、增长5.4%"), summary(figures=both[:1]), canon)  # growth missing
    wrong_year = [fig("地区生产总值", "增长5.4%", 2024, "actual")]
    assert not found(fact("gdp_2025", "增长5.4%"), summary(figures=wrong_year), canon)
    a_target = [fig("地区生产总值", "增长5.4%", 2025, "target")]
    assert not found(fact("gdp_2025", "增长5.4%"), summary(figures=a_target), canon)
    other = [fig("一般公共预算收入", "增长5.4%", 2025, "actual")]
    assert not found(fact("gdp_2025", "增长5.4%"), summary(figures=other), canon)
    via_form = [fig("GDP", "增长5.4%", 2025, "actual")]  # any form of the indicator
    assert found(fact("gdp_2025", "增长5.4%"), summary(figures=via_form), canon)


@pytest.mark.parametrize(
    ("value", "figure", "ok"),
    [
        ("增长5%左右", fig("地区生产总值", "增长5%", 2026, qualifier="左右"), True),
        ("增长5%左右", fig("地区生产总值", "增长5%", 2026), False),  # the qualifier is part of the target
        ("增长5%左右", fig("地区生产总值", "增长5%", 2026, qualifier="力争、左右"), True),
        ("增长4.5%—5%", fig("地区生产总值", "增长4.5%-5%", 2026), True),  # dashes differ between documents
        ("增长4.5%-5%", fig("地区生产总值", "增长4.5%～5%", 2026), True),
        ("增长4.5%—5%", fig("地区生产总值", "增长4.5%至5%", 2026), True),
        ("增长5%", fig("地区生产总值", "增长5%-5.5%", 2026), False),  # one end of a range is not the target
        ("增长5.5%", fig("地区生产总值", "增长5%-5.5%", 2026), False),
        ("增长5%左右", fig("地区生产总值", "年均增长5%", None, qualifier="十五五、左右"), False),  # the plan average
        ("增长5%左右", fig("地区生产总值", "增长5%", 2025, qualifier="左右"), False),
        ("增长5%左右", fig("地区生产总值", "增长5%", 2026, "actual", qualifier="左右"), False),
    ],
)
def test_gdp_target_2026(canon: dict[str, str], value: str, figure: KeyFigure, ok: bool) -> None:
    assert found(fact("gdp_target_2026", value), summary(figures=[figure]), canon) is ok


@pytest.mark.parametrize(
    ("value", "figure", "ok"),
    [
        ("一般公共预算收入增长4%左右", fig("一般公共预算收入", "增长4%", 2026, qualifier="左右"), True),
        ("地方一般公共预算收入增长3%左右", fig("一般公共预算收入", "增长3%", 2026, qualifier="左右"), True),
        ("一般公共预算收入增长3％", fig("一般公共预算收入", "增长3%", 2026), True),  # full-width percent sign
        ("规上工业增加值增长7%以上", fig("规模以上工业增加值", "增长7%", 2026, qualifier="以上"), True),
        ("一般公共预算收入增长4%左右", fig("税收收入", "增长4%", 2026, qualifier="左右"), False),  # another indicator
        ("一般公共预算收入增长4%左右", fig("一般公共预算收入", "增长4%", 2025, qualifier="左右"), False),
        ("城镇新增就业60万人以上", fig("城镇新增就业", "60万人", 2026, qualifier="以上", unit="万人"), True),
        ("增长4%左右", fig("地区生产总值", "增长4%", 2026, qualifier="左右"), False),  # GDP is not an "other" target
        ("增长4%左右", fig("税收收入", "增长4%", 2026, qualifier="左右"), True),  # no indicator named: any but GDP
    ],
)
def test_other_target_2026(canon: dict[str, str], value: str, figure: KeyFigure, ok: bool) -> None:
    assert found(fact("other_target_2026", value), summary(figures=[figure]), canon) is ok
