"""An autonomous region's report: 自治区 alone is a level word, never the place, so questions about 广西 find it."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

TEXT = """Title: 2026年广西壮族自治区政府工作报告
Date: 2026-01-25

政府工作报告
广西壮族自治区人民政府主席 韦明
各位代表：
现在，我代表自治区人民政府，向大会报告工作，请予审议。自治区党委、自治区政府高度重视。
一、2025年和“十四五”时期工作回顾
过去一年，全区地区生产总值2.9万亿元、增长5.1%，城镇新增就业41.3万人。
“十四五”时期，粮食总产量连续5年稳定在1400万吨以上，2025年达到1420万吨。
三、2026年主要工作
今年全区经济社会发展的主要预期目标是：地区生产总值增长5%—5.5%，城镇新增就业40万人以上。
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"guangxi_2026.txt": TEXT})


def test_the_place_is_the_region_not_its_level_word(session: Session) -> None:
    (doc,) = session.corpus.documents()
    assert doc.place == "广西壮族自治区"


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("广西2026年GDP增长目标", "5%—5.5%"),
        ("广西壮族自治区今年城镇新增就业目标", "40万人"),
        ("广西2025年粮食产量", "1420万吨"),  # a level reached in a clause with no subject of its own
    ],
)
def test_questions_about_the_region(session: Session, question: str, value: str) -> None:
    answer = session.ask(question, engine="extractive")
    assert answer.status == "answered", answer.answer
    assert value in answer.answer

