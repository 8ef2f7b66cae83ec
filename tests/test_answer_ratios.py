"""A ratio to GDP is not GDP (相当于全市生产总值的比例达到4.5%), it is the R&D intensity when it measures R&D
spending; a clause whose only subject is a generic head (总量, 规模) carries the figure of the indicator before it."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

REPORT = """Title: 2026年上海市政府工作报告
Date: 2026-01-22

上海市市长 龚正
各位代表：
一、2025年和“十四五”时期工作回顾
2025年，全市生产总值预计增长5%左右，总量突破5.6万亿元。全社会研发经费支出相当于全市生产总值的比例达到4.5%左右。
社会消费品零售总额增长2.5%，规模达到1.8万亿元。
“十四五”时期，战略性新兴产业增加值占全市生产总值比重提高到28%。
二、2026年主要目标和工作任务
今年的主要预期目标是：全市生产总值增长5%左右；全社会研发经费支出相当于全市生产总值的比例达到4.6%左右。
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"shanghai_2026.txt": REPORT})


@pytest.mark.parametrize(
    ("question", "value", "not_value"),
    [
        ("上海2025年GDP是多少", "5.6万亿元", "4.5%"),  # …，总量突破5.6万亿元: GDP's amount; the R&D ratio is not GDP
        ("上海去年GDP增长多少", "5%左右", "28%"),
        ("上海2025年社会消费品零售总额", "1.8万亿元", None),  # …，规模达到1.8万亿元
        ("上海2025年研发投入强度", "4.5%左右", None),  # R&D spending as a share of GDP is the R&D intensity
        ("上海今年研发投入强度目标", "4.6%左右", "4.5%"),
    ],
)
def test_ratios_and_generic_heads(session: Session, question: str, value: str, not_value: str | None) -> None:
    answer = session.ask(question, engine="extractive")
    assert answer.status == "answered", (question, answer.answer)
    assert value in answer.answer
    assert not_value is None or not_value not in answer.answer


def test_a_ratio_to_gdp_is_no_gdp_target(session: Session) -> None:
    answer = session.ask("上海今年GDP增长目标", engine="extractive")
    assert "5%左右" in answer.answer and "4.6%" not in answer.answer
