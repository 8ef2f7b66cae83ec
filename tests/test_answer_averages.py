"""年均 makes a figure a yearly average over a plan period (十四五), whatever the change word after it: it answers a
十四五 question and never a 去年 one. A value after a list join is the answer's only when nothing names another
subject between (改造老旧小区870个、惠及10万余户: households are another count); a part's figure (平原新城地区生产总值)
is not the place's; a rank (居全省第一) is neither the change nor the amount a question asks for (增长多少)."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

REPORT = """Title: 2026年秦川省政府工作报告
Date: 2026-01-25

秦川省省长 张三
各位代表：
一、2025年工作回顾
2025年，全省地区生产总值增长5.1%。改造城镇老旧小区870个、惠及10万余户，城中村改造8.8万套，456个小区完成临时用电治理。果蔬出口货值居全省第一。引进亿元以上项目793个、续建项目52个。
（六）防范化解风险，维护社会和谐稳定。稳妥化解地方政府债务风险。
各位代表！2025年目标任务顺利完成，标志着“十四五”圆满收官。五年来，我们牢记嘱托、感恩奋进。一是综合实力再上台阶。地区生产总值跨过3万亿元、年均增长5.2%，较“十三五”末净增1万亿元。一般公共预算收入年均增长7.8%。
二、2026年主要目标
城市副中心和平原新城地区生产总值增长7%以上。
今年的主要预期目标是：地区生产总值增长5%左右，一般公共预算收入增长3%。
“十五五”时期设置主要指标28项，其中预期性指标19项、约束性指标9项，包括：地区生产总值年均增速4.5%-5%、努力争取更好结果，全社会研发投入占比6%以上，城市副中心和平原新城地区生产总值年均增长5%以上。
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"qinchuan_2026.txt": REPORT})


@pytest.mark.parametrize(
    ("question", "value", "not_value"),
    [
        ("秦川十四五期间GDP年均增长多少", "5.2%", "5.1%"),
        ("秦川十四五时期一般公共预算收入年均增长多少", "7.8%", "3%"),
        ("秦川去年GDP增长多少", "5.1%", "5.2%"),
        ("秦川去年一般公共预算收入增长多少", None, "7.8%"),  # only a 十四五 average and a target: no 2025 figure
        ("秦川改造老旧小区多少个", "870个", "10万余户"),
        ("秦川去年出口增长多少", None, "第一"),  # a rank is no change
        ("秦川去年引进亿元以上项目多少个", "续建项目52个", "870个"),  # a same-unit value after it is the list's
        ("秦川今年GDP增长目标", "5%左右", "7%以上"),  # a new town's GDP is a part's figure  # a rank answers only a question asking one
        ("秦川十五五期间地区生产总值年均增速目标", "4.5%-5%", "5%以上"),  # a new town's GDP is a part's figure
    ],
)
def test_averages_and_joined_values(session: Session, question: str, value: str | None, not_value: str) -> None:
    answer = session.ask(question, engine="extractive")
    if value is None:
        assert not_value not in answer.answer, (question, answer.answer)
        return
    assert answer.status == "answered", (question, answer.answer)
    assert value in answer.answer and not_value not in answer.answer, (question, answer.answer)
