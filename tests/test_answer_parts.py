"""An indicator's short question word inside a longer name (新设外资企业, 跨境电商进出口, 外贸出口, 粮食单产) is another
figure, not the indicator's, unless the question names that part too; 分别 after a scope word (全区城乡…) or a
combined word (内外资) still pairs each member with its value."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

REPORT = """Title: 2026年安徽省政府工作报告
Date: 2026-01-20

安徽省省长 王清宪
各位代表：
一、2025年和“十四五”时期工作回顾
过去一年，全省新设外资企业数量增长19.5%，新设外资企业1200家。跨境电商进出口增长16.3%。外贸出口总额增长8%。
粮食单产提高1.9%。全区城乡居民人均可支配收入分别增长4.6%和6.5%。实际使用内外资分别增长10%、6.4%。
五年来，常住人口城镇化率提高至62.5%。
二、2026年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，跨境电商进出口规模达到25亿元。
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"anhui_2026.txt": REPORT})


@pytest.mark.parametrize(
    "question",
    [
        "安徽2025年实际使用外资多少",  # …内外资分别… is answered below; 新设外资企业 is a count of firms
        "安徽2025年外贸进出口总额增长多少",  # exports, and a part (跨境电商), are not all trade
        "安徽2025年粮食产量多少",  # yield per mu is not output
    ],
)
def test_a_longer_name_is_another_figure(session: Session, question: str) -> None:
    answer = session.ask(question, engine="extractive")
    got = answer.answer
    assert "19.5%" not in got and "1200家" not in got and "16.3%" not in got and "8%" not in got
    assert "1.9%" not in got


@pytest.mark.parametrize(
    ("question", "value", "not_value"),
    [
        ("安徽去年跨境电商进出口增长多少", "16.3%", None),  # the question names the part: it is what is asked
        ("安徽今年跨境电商进出口规模目标", "25亿元", None),
        ("安徽去年农村居民收入增长多少", "6.5%", None),  # 全区城乡…分别: the rural member
        ("安徽去年城镇居民人均可支配收入增长多少", "4.6%", None),
        ("安徽去年实际使用外资增长多少", "6.4%", None),  # 内外资分别: 内资 10%, 外资 6.4%
    ],
)
def test_the_asked_member_or_level(session: Session, question: str, value: str, not_value: str | None) -> None:
    answer = session.ask(question, engine="extractive")
    assert answer.status == "answered", (question, answer.answer)
    assert value in answer.answer
    assert not_value is None or not_value not in answer.answer
