"""News of a people's congress, read as a user asks about it: who delivered the report, who presided, when and where
the session opened, what the report's parts are. The documents are written for the test in the style of such news."""

from __future__ import annotations

import pytest
from corpora import session_over

from ragtool.api import Session

CONGRESS = """Title: 青河市第十六届人民代表大会第四次会议开幕
Date: 2026-01-28

青河市第十六届人民代表大会第四次会议开幕
市委书记周明远出席 代市长韩立新作政府工作报告 宋文彬主持大会

本报讯 27日上午,青河市第十六届人民代表大会第四次会议在青河会展中心大礼堂隆重开幕。
大会主席团常务主席、市委书记周明远出席,大会主席团常务主席、市人大常委会主任宋文彬主持大会。
市政协主席郭永清等在主席台就座。历届市人大常委会副主任应邀参加今天的大会。
会议应到代表412名,实到代表389名,符合法定人数。
代市长韩立新代表市人民政府向大会作政府工作报告。报告共分三个部分:一是2025年工作回顾;二是2026年主要目标任务;三是加强政府自身建设。
"""

DISTRICT = """Title: 柳溪區第九屆人民代表大會第五次會議開幕
Date: 2026-02-12

2月11日上午,柳溪區第九屆人民代表大會第五次會議在柳溪會堂開幕。
開幕大會由大會主席團常務主席、區委書記馬建華主持。代理區長林曉彤向大會作政府工作報告。
"""


PARTY = """Title: 中共松岭县委召开座谈会
Date: 2025-12-20

近日,中共松岭县委召开党外人士座谈会。县委书记、松岭经开区党工委书记罗志强主持并讲话。
县人大常委会主任陈立,县政协主席黄涛参加。
"""


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"qinghe_congress.txt": CONGRESS, "liuxi_congress.txt": DISTRICT,
                                              "songling_party.txt": PARTY})


def _ask(session: Session, question: str) -> str:
    a = session.ask(question, engine="extractive")
    assert a.status == "answered", question
    assert a.citations
    return a.answer


@pytest.mark.parametrize(
    ("question", "name", "not_names"),
    [
        ("青河今年的政府工作报告是谁作的", "韩立新", ["周明远", "宋文彬"]),
        ("青河人代会谁主持的", "宋文彬", ["韩立新", "郭永清"]),  # the congress chairman presides, not the acting mayor
        ("青河市委书记是谁", "周明远", ["韩立新"]),
        ("青河人大主任是谁", "宋文彬", ["郭永清"]),  # 人大主任 is 人大常委会主任, spelled either way
        ("柳溪区政府工作报告是谁作的", "林曉彤", ["馬建華"]),
        ("柳溪區代理區長是誰", "林曉彤", ["馬建華"]),
        ("柳溪区人代会开幕会是谁主持的", "馬建華", ["林曉彤"]),
    ],
)
def test_who_delivered_presided_or_holds_the_title(news: Session, question: str, name: str, not_names: list[str]) -> None:
    answer = _ask(news, question)
    assert name in answer
    assert not any(n in answer for n in not_names)
    assert "应邀" not in answer


def test_a_day_without_its_month_is_dated_from_the_report(news: Session) -> None:
    assert "2026年1月27日" in _ask(news, "青河十六届人大四次会议哪天开幕")


def test_where_the_session_opened(news: Session) -> None:
    assert _ask(news, "青河人代会在哪里开幕") == "青河会展中心大礼堂"
    assert "柳溪會堂" in _ask(news, "柳溪区人代会在哪开的")


def test_when_and_where_in_one_answer(news: Session) -> None:
    answer = _ask(news, "柳溪区九届人大五次会议什么时候在哪开的")
    assert "2月11日" in answer and "柳溪會堂" in answer


def test_the_parts_of_the_report(news: Session) -> None:
    answer = _ask(news, "青河政府工作报告分哪几个部分")
    for part in ("2025年工作回顾", "2026年主要目标任务", "加强政府自身建设"):
        assert part in answer


def test_a_title_of_a_chain_is_held_by_the_name_after_it(news: Session) -> None:
    answer = _ask(news, "松岭县委书记是谁")
    assert "罗志强" in answer and answer.startswith("县委书记")


def test_the_post_a_person_held(news: Session) -> None:
    assert _ask(news, "韩立新是什么职务") == "代市长"
    assert "县委书记" in _ask(news, "罗志强担任什么职务")


def test_respectively_who_names_every_holder(news: Session) -> None:
    answer = _ask(news, "青河市委书记和代市长分别是谁")
    assert "周明远" in answer and "韩立新" in answer
