"""The eval checker's normaliser: equal facts written differently must compare equal, and only those."""

from __future__ import annotations

import pytest

from ragtool.eval.normalize import contains, normalize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("百分之五点五", "5.5%"),
        ("增长百分之五点五左右", "增长5.5%左右"),
        ("５．５％", "5.5%"),  # full-width digits and percent
        ("五次", "5次"),
        ("第十四届代表大会第四次会议", "第14届代表大会第4次会议"),
        ("三十周年", "30周年"),
        ("十二条", "12条"),
        ("411亿元", "4110000万元"),
        ("4.11亿", "41100万"),
        ("4.11亿", "411000000"),
        ("一百亿元", "100亿元"),
        ("1,400家", "1400家"),
        ("5.50%", "5.5%"),
        ("趙錫雄", "赵锡雄"),
        ("鳳崗鎮", "凤岗镇"),
        ("地區(qū)生產(chǎn)總值", "地区生产总值"),  # pinyin annotations dropped
        ("2025-03-03", "2025年3月3日"),
        ("二〇二五年三月三日", "2025年3月3日"),
        ("《凝聚意志 砥砺奋进》", "凝聚意志砥砺奋进"),
        ("GDP", "gdp"),
    ],
)
def test_equal_facts_normalise_to_the_same_text(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_percent_and_percentage_points_stay_distinct() -> None:
    assert normalize("5.5个百分点") != normalize("5.5%")
    assert not contains("增长5.5个百分点", "5.5%")
    assert contains("增长5.5个百分点", "5.5个百分点")


@pytest.mark.parametrize(
    ("haystack", "needle"),
    [
        ("地区生产总值增长5.5%左右", "5%"),  # 5% is not inside 5.5%
        ("社会消费品零售总额增长15%", "5%"),
        ("实现地区生产总值411亿元", "41亿元"),
        ("排名全市第32", "第3"),
        ("增长5.5%", "5.55%"),
    ],
)
def test_a_number_never_matches_inside_a_longer_number(haystack: str, needle: str) -> None:
    assert not contains(haystack, needle)


@pytest.mark.parametrize(
    ("haystack", "needle"),
    [
        ("政府工作报告: 增长5.5%左右; 党代会: 5%", "5%"),
        ("政府工作报告: 增长5.5%左右; 党代会: 5%", "5.5%"),
        ("地区生产总值四百一十一亿元", "411亿元"),
        ("全年实现GDP 4.11 亿元", "41100万元"),
        ("鎮黨委書記趙錫雄主持會議", "赵锡雄"),
        ("2025年1月16日召开", "1月16日"),
        ("发布时间: 2024-02-26", "2024年2月26日"),
        ("重点做好六方面工作", "六方面"),
        ("重点做好6方面工作", "六方面"),
        ("力争全年完成工业投资40亿元以上", "40亿元以上"),
        ("地區生產總值增長4.5%,達到1000.86億元", "1000.86"),  # a bare decimal as written before 亿
    ],
)
def test_contains_finds_the_fact_however_it_is_written(haystack: str, needle: str) -> None:
    assert contains(haystack, needle)


def test_a_bare_decimal_is_never_found_inside_a_longer_number_before_a_magnitude() -> None:
    assert not contains("达到1000.861亿元", "1000.86")
    assert not contains("达到21000.86亿元", "1000.86")


def test_other_names_and_empty_answers_do_not_match() -> None:
    assert not contains("镇长赖文盛", "赵锡雄")
    assert not contains("", "5%")
    assert not contains("未在文档中找到答案", "411亿元")
