"""Extraction rules on a report written for the test, not taken from the seeds or the devcorpus."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

REPORT = """Title: 清溪镇2025年政府工作报告
Date: 2025-01-10

清溪镇2025年政府工作报告

一、2024年工作回顾
2024年,全镇地区生产总值完成268.4亿元,同比增长4.9%。
深化项目管理,120个重点项目完成投资95.4亿元,12个项目建成投用,新谋划重点项目300个、总投资860亿元。
优化招商引资机制,镇领导带队招商考察18次,拜访目标企业90家,签约亿元以上项目15个、投资规模64亿元,实际使用内资12.2亿元。

二、2025年工作安排
完善优质企业梯度培育体系,争取新增工业“小升规”企业25家以上,规上工业企业突破420家,新增国家级专精特新“小巨人”企业2家、省级专精特新企业5家。
加强城市精细化管理,利用桥下空间等闲置场地规划建设停车设施,新增不少于800个路外公共停车位,培育3个停车规范管理典型村。
推动更高水平开放。着力打好“三外联动”组合拳,推进外贸稳规模优结构、外资稳存量扩增量、外智全球引才。全力支持企业出海抢订单。
牢牢把握“两新”[1]政策实施机遇,全力稳固经济基本盘,着力激活发展新动能。

三、重点任务
会议强调,要以“三大行动”为抓手,推动全镇各项工作提质增效。
全镇上下要紧扣“五大攻坚”,统筹推动经济运行持续好转、内生动力持续增强。
要实施产业升级行动,加快传统产业数字化改造,培育先进制造业集群。
要实施城市更新行动,推进老旧小区改造,完善公共服务配套。
要实施乡村振兴行动,壮大村级集体经济,提升人居环境。
要着力处理好发展和安全的关系,守住安全生产底线;要着力处理好政府和市场的关系,持续优化营商环境。
要在推进科技创新上走在前列,加大研发投入;要在保障和改善民生上走在前列,办好十件民生实事。

名词解释
[1]“两新”:指大规模设备更新和消费品以旧换新。
[2]“三个不发生”:指不发生重大安全事故、不发生群体性事件、不发生暴恐案件。
"""


@pytest.fixture(scope="module")
def qingxi(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"qingxi_2025.txt": REPORT})


@pytest.mark.parametrize(
    ("question", "value", "not_value"),
    [
        # several counts in one sentence: the one whose clause holds the question's words
        ("清溪2025年规上工业企业要突破多少家", "420家", "2家"),
        ("清溪2025年要新增多少个公共停车位", "800个", "3个"),
        # several sentences with counts: the one whose clause holds the question's words
        ("清溪签约亿元以上项目多少个?投资规模?", "15个", "300个"),
    ],
)
def test_the_count_of_the_asked_thing_not_its_neighbour(qingxi: Session, question: str, value: str, not_value: str) -> None:
    a = qingxi.ask(question, engine="extractive")
    assert a.status == "answered"
    assert value in a.answer and not a.answer.endswith(not_value)
    assert value in "".join(c.quote for c in a.citations)


def test_a_numbered_term_gets_the_list_of_as_many_items(qingxi: Session) -> None:
    a = qingxi.ask("清溪“三外联动”包括哪些", engine="extractive")
    assert a.status == "answered"
    assert all(item in a.answer for item in ("外贸", "外资", "外智"))


@pytest.mark.parametrize("question", ["“两新”政策指什么", "清溪“两新”是什么意思"])
def test_what_a_term_means_comes_from_its_glossary_entry(qingxi: Session, question: str) -> None:
    a = qingxi.ask(question, engine="extractive")
    assert a.status == "answered"
    assert "设备更新" in a.answer and "以旧换新" in a.answer and "经济基本盘" not in a.answer
    assert any("指大规模设备更新" in c.quote for c in a.citations)


@pytest.mark.parametrize(
    ("question", "items"),
    [
        # one item per sentence, read through the question's own frame
        ("清溪要在哪些方面走在前列", ["推进科技创新", "保障和改善民生"]),
        ("清溪要处理好哪些关系", ["发展和安全", "政府和市场"]),
        ("清溪的三大行动是什么", ["产业升级", "城市更新", "乡村振兴"]),
    ],
)
def test_a_list_spread_over_parallel_sentences(qingxi: Session, question: str, items: list[str]) -> None:
    a = qingxi.ask(question, engine="extractive")
    assert a.status == "answered"
    assert a.answer.split("、") == items
    quotes = "".join(c.quote for c in a.citations)
    assert all(item in quotes for item in items)


def test_a_numbered_term_whose_items_are_not_listed_is_not_answered_with_a_fragment(qingxi: Session) -> None:
    """五大攻坚 is named but never listed: two unrelated clauses are not its five items."""
    a = qingxi.ask("清溪“五大攻坚”是什么", engine="extractive")
    assert a.status == "not_found", a.answer
