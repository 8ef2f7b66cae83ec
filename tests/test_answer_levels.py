"""Figures in a review of past years: a level at the end of an ended plan is its last year's, a change's start is
not its figure, 连续N年 is a span, an indicator named alone asks a figure, and 控制在 asks a target."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

REPORT = """Title: 2026年浙江省政府工作报告
Date: 2026-01-20

浙江省省长 张明
各位代表：
一、“十四五”时期和2025年工作回顾
过去的五年极不寻常，经济社会发展取得新成就。
综合实力稳步提升。生产总值9.2万亿元，财政总收入1.4万亿元。累计新增城镇就业600万人。研发投入强度达到3.1%。
常住人口城镇化率从2020年的72.2%提升到2025年的75.8%。
全省经济总量跨上新台阶，实现历史性晋位，年均增速5.9%。杭州都市圈经济总量达到3万亿元、占全省比重达33.1%。
粮食总产量连续9年稳定在120亿斤以上。
人均地区生产总值、全员劳动生产率和万元地区生产总值能耗保持全国前列。
过去一年，全省海洋生产总值增长6.5%，地区生产总值增长5.5%，粮食产量125.3亿斤，城镇调查失业率4.9%，城镇和农村常住居民人均可支配收入分别增长4.1%和6.2%。
进出口总额5.2万亿元、增长6%，对东盟、欧盟进出口分别增长12.5%、3.1%。
二、2026年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇调查失业率控制在5.5%左右，居民消费价格涨幅2%左右，城乡居民人均可支配收入分别增长4.5%、6.5%左右。
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"zhejiang_2026.txt": REPORT})


def _answer(session: Session, question: str) -> str:
    answer = session.ask(question, engine="extractive")
    assert answer.status == "answered", (question, answer.answer)
    return answer.answer


@pytest.mark.parametrize(
    ("question", "value", "not_value"),
    [
        ("浙江2025年地区生产总值多少", "9.2万亿元", "5.5%"),  # the amount at the end of 十四五, not the growth
        ("浙江2025年常住人口城镇化率", "75.8%", None),  # where the change ended, not where it started
        ("浙江十四五末常住人口城镇化率", "75.8%", None),  # no 多少: the indicator alone asks the figure
        ("浙江2025年粮食产量多少", "125.3亿斤", "120亿斤"),  # 连续9年…以上 is a bound over a span
        ("浙江2025年研发投入强度", "3.1%", None),  # a rate reached by the plan's end is a level too
        ("浙江2025年经济增长多少", "5.5%", "9.2万亿元"),  # 经济增长 asks the growth
        ("浙江2025年GDP增长多少", "5.5%", "6.5%"),  # 海洋生产总值 is a part of the economy, not its whole
        ("浙江2025年海洋生产总值增长多少", "6.5%", None),  # … and a question may ask for that part
        ("浙江今年城镇调查失业率控制在多少", "5.5%左右", "4.9%"),  # 控制在 asks the target
        ("浙江今年全年GDP预期目标", "5%左右", None),  # 全年, 全省: the document's own scope, no words to find
        ("浙江2025年全省经济增长了多少", "5.5%", "9.2万亿元"),
        ("浙江定下的2026年经济增长目标", "5%左右", None),  # 定下, 提出: how a report sets it, no words to find
        # a change whose clause has no subject belongs to the indicator before it; 占…比重 is another figure
        ("浙江十四五期间经济年均增长多少", "5.9%", "33.1%"),
        # 分别: one member of a clause that names several, each with its value
        ("浙江2025年农村居民人均可支配收入增长多少", "6.2%", "6.5%"),
        ("浙江今年城镇居民人均可支配收入增长目标", "4.5%", "4.1%"),
        ("浙江去年进出口增长了多少", "增长6%", "12.5%"),  # 东盟进出口 is a member, a part of the whole
    ],
)
def test_review_figures(session: Session, question: str, value: str, not_value: str | None) -> None:
    got = _answer(session, question)
    assert value in got
    assert not_value is None or not_value not in got


def test_a_level_is_not_a_total_over_the_years(session: Session) -> None:
    got = session.ask("浙江2025年城镇新增就业多少", engine="extractive")
    assert "600万人" not in got.answer  # 累计新增: five years' sum, not 2025's


def test_a_unit_alone_is_no_number(session: Session) -> None:
    answer = session.ask("浙江2025年人均地区生产总值", engine="extractive")
    assert answer.status == "not_found", answer.answer  # 和万元 is no figure


def test_respective_members_and_values() -> None:
    from ragtool.answer.respectively import find
    from ragtool.config import Settings
    from ragtool.zh.lexicon import Lexicon

    grammar = Lexicon.load(Settings()).quantities
    combined = {"城乡": ("城镇", "农村")}
    (r,) = find("一般公共预算收入、税收收入年均分别增长4.5%、3%，居民收入增长", combined, grammar)
    assert r.names == ("一般公共预算收入", "税收收入")
    (r,) = find("城乡居民人均可支配收入分别增长4.4%、5.6%", combined, grammar)
    assert r.names == ("城镇居民人均可支配收入", "农村居民人均可支配收入")
    assert find("三个项目分别位于东区、西区和南区", combined, grammar) == []  # no values
    assert find("城镇、农村和园区分别增长3%、4%", combined, grammar) == []  # three members, two values
