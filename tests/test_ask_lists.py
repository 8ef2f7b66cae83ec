"""Lists, frames and parts, asked of a city's news written for the test: the targets, the N items a frame names,
a report's parts, every member of a pair; never the site's navigation menu."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

TARGETS = """Title: 澄江市政府工作报告提出2026年主要预期目标
Date: 2026-01-20

首页 新闻中心 政务公开 办事服务 互动交流
政府工作报告提出,2026年主要预期目标是:全市生产总值增长5%以上;一般公共预算收入增长3%;城镇新增就业4万人;居民消费价格涨幅2%左右。
报告强调,要全力打好“稳增长、强产业、优环境”三大攻坚战。
市委经济工作会议要求,做到“三个稳”:一是稳投资,二是稳就业,三是稳预期。
会议提出,大力实施“8+8+4”产业体系,即8个优势产业、8个新兴产业和4个未来产业。
城乡居民人均可支配收入分别增长5.1%和6.3%。
政府工作报告分为四个部分:一、2025年工作回顾;二、“十五五”主要目标;三、2026年重点工作;四、加强政府自身建设。
"""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"chengjiang_targets.txt": TARGETS})


def _ask(session: Session, question: str) -> str:
    a = session.ask(question, engine="extractive")
    assert a.status == "answered", question
    assert "首页" not in a.answer and "政务公开" not in a.answer  # never the navigation menu
    return a.answer


def test_the_main_targets_are_listed(city: Session) -> None:
    answer = _ask(city, "澄江2026年主要预期目标有哪些")
    for target in ("5%以上", "3%", "4万人", "2%左右"):
        assert target in answer


@pytest.mark.parametrize(
    ("question", "items"),
    [
        ("澄江三大攻坚战是哪三个", ["稳增长", "强产业", "优环境"]),
        ("澄江市委经济工作会议要求做到哪“三个稳”", ["稳投资", "稳就业", "稳预期"]),
        ("澄江的8+8+4产业体系是什么", ["8个优势产业", "8个新兴产业", "4个未来产业"]),
        ("澄江政府工作报告分哪几个部分", ["2025年工作回顾", "2026年重点工作", "加强政府自身建设"]),
    ],
)
def test_the_items_a_frame_names(city: Session, question: str, items: list[str]) -> None:
    answer = _ask(city, question)
    for item in items:
        assert item in answer


def test_respectively_gives_every_member(city: Session) -> None:
    answer = _ask(city, "澄江城乡居民人均可支配收入分别增长多少")
    assert "5.1%" in answer and "6.3%" in answer
