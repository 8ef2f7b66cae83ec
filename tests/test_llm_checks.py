"""Every LLM answer is checked with the extractive engine's reading of the same evidence, and repaired when its
value is right but its quote is not: replies in a real small model's style (tests/fixtures/llm_replies.json)
through the fake OpenAI server over HTTP, asked through a Session over a real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401

from ragtool.api import Session
from ragtool.config import Settings

REPLIES = json.loads((Path(__file__).parent / "fixtures" / "llm_replies.json").read_text(encoding="utf-8"))
GUANGDONG = """Title: 2026年广东省政府工作报告
Date: 2026-01-25

一、2025年工作回顾
2025年，全省地区生产总值增长3.9%，规模以上工业增加值增长3.1%，居民消费价格下降1.2%。
二、“十五五”时期主要目标
“十五五”时期，地区生产总值年均增长5%左右。
三、2026年工作安排
2026年经济社会发展的主要预期目标是：地区生产总值增长4.5%—5%，一般公共预算收入增长2%。
"""
TARGET = "2026年广东省GDP增长目标是多少?"


@pytest.fixture
def session(fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path) -> Session:  # noqa: F811
    s = fake_openai.configure(settings, llm_timeout=5.0, llm_max_retries=0)
    (tmp_path / "gd.txt").write_text(GUANGDONG, encoding="utf-8")
    session = Session(s, sync=False)
    session.ingest([tmp_path / "gd.txt"])
    return session


def ask(session: Session, fake: FakeOpenAI, reply: object, question: str = TARGET, explain: bool = False):  # type: ignore[no-untyped-def]
    fake.script_chat(reply)
    return session.ask(question, engine="llm", explain=explain, use_cache=False)


def test_right_value_with_a_wrong_quote_is_cited_from_the_sentence_that_holds_it(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    for name in ("right_value_wrong_quote", "paraphrased_quote"):
        ans = ask(session, fake_openai, REPLIES[name])
        assert ans.status == "answered", (name, ans.notes)
        assert "4.5%—5%" in ans.answer
        assert ans.citations and "4.5%—5%" in ans.citations[0].quote and "2025年" not in ans.citations[0].quote
        assert any(n.startswith("citation repaired") for n in ans.notes)


def test_the_five_year_figure_for_a_one_year_target_gives_way_to_the_verified_target(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    """A contradiction makes the model's value a candidate, not the answer: the extractive engine's verified reading
    of the asked frame is answered instead, and the notes and --explain say why."""
    ans = ask(session, fake_openai, REPLIES["wrong_frame"], explain=True)
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and "4.5%—5%" in ans.citations[0].quote
    assert any("'5%左右' was vetoed" in n and "time" in n for n in ans.notes)
    assert ans.explanation and ans.explanation[0].vetoed == "time"


@pytest.mark.parametrize(("name", "question"), [
    ("negates_its_quote", TARGET),
    ("other_indicator", "2025年广东省GDP增长多少?"),
])
def test_an_answer_its_quote_does_not_back_is_ungrounded(
    session: Session, fake_openai: FakeOpenAI, name: str, question: str  # noqa: F811
) -> None:
    ans = ask(session, fake_openai, REPLIES[name], question)
    assert ans.status == "not_found" and ans.citations == [] and ans.confidence == 0
    assert any(n.startswith("not used as evidence") for n in ans.notes)


def test_a_dropped_decline_is_completed_from_the_quote(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    ans = ask(session, fake_openai, REPLIES["dropped_decline"], "2025年广东省居民消费价格涨幅是多少?")
    assert ans.status == "answered" and "下降1.2%" in ans.answer, ans.notes


@pytest.mark.parametrize("name", ["fenced", "think"])
def test_chatty_replies_are_read(session: Session, fake_openai: FakeOpenAI, name: str) -> None:  # noqa: F811
    ans = ask(session, fake_openai, REPLIES[name])
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and ans.citations


def test_truncated_json_is_asked_again(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.truncated_json(REPLIES["truncated"]))
    ans = ask(session, fake_openai, REPLIES["think"])
    assert ans.status == "answered" and ans.usage.calls == 2
    reask = fake_openai.chat_requests[-1].messages[-1]["content"]
    assert "JSON" in reask


# ---- --engine auto: both engines, the LLM within a deadline ---------------------------------------------------


def test_auto_keeps_the_extractive_answer_when_the_llm_misses_its_deadline(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    import time

    session.settings = session.settings.model_copy(update={"llm_auto_seconds": 0.5})
    fake_openai.script_chat(Fault.slow(60, json.dumps(REPLIES["fenced"])))
    t0 = time.perf_counter()
    ans = session.ask(TARGET, engine="auto", use_cache=False)
    assert time.perf_counter() - t0 < 30, ans.notes  # not the server's 60 s
    assert ans.engine == "extractive" and "4.5%—5%" in ans.answer
    assert any("the LLM gave no answer" in n and "extractive" in n for n in ans.notes)


def test_auto_answers_the_frame_case_with_the_verified_target(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    fake_openai.script_chat(REPLIES["wrong_frame"])
    ans = session.ask(TARGET, engine="auto", use_cache=False)
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and ans.citations
    assert any("'5%左右' was vetoed" in n for n in ans.notes)


def test_auto_keeps_the_llm_answer_when_it_states_the_verified_value(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    fake_openai.script_chat(REPLIES["think"])
    ans = session.ask(TARGET, engine="auto", use_cache=False)
    assert ans.engine == "llm" and "4.5%—5%" in ans.answer and ans.usage.calls == 1


def test_the_extractive_candidates_go_into_the_context_block(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    import re

    ask(session, fake_openai, REPLIES["think"])
    user = fake_openai.chat_requests[-1].messages[-1]["content"]
    inside = re.search(r"<<<CONTEXT\n(.*)\nCONTEXT>>>", user, re.S)
    assert inside is not None and "规则抽取的候选答案" in inside.group(1)
    hints = inside.group(1).split("规则抽取的候选答案")[1]
    assert "4.5%—5%" in hints and "年均增长5%左右" not in hints  # the vetoed five-year figure is not offered


def test_the_real_models_wrong_quote_is_repaired_from_the_retrieved_documents(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """Recorded: asked 北京2026年GDP增长目标? with a 2,500-token context, the model answered 5%左右 (right) quoting the
    2025 result; the target sentence was not in the context sent."""
    beijing = Path(__file__).resolve().parent.parent / "evals" / "provincial" / "docs" / "002_beijing.txt"
    s = fake_openai.configure(settings, llm_timeout=5.0, llm_max_retries=0, llm_context_tokens=2500)
    session = Session(s, sync=False)
    session.ingest([beijing])
    fake_openai.script_chat(REPLIES["recorded_beijing_wrong_quote"])
    ans = session.ask("北京2026年GDP增长目标?", engine="llm", use_cache=False)
    assert ans.status == "answered" and "5%左右" in ans.answer, ans.notes
    assert ans.citations and "5%左右" in "".join(c.quote for c in ans.citations)
    assert "5.4%" not in "".join(c.quote for c in ans.citations)
    assert any(n.startswith("citation repaired") for n in ans.notes)


ZHEJIANG = """Title: 2026年浙江省政府工作报告
Date: 2026-01-20

一、2025年工作回顾
2025年，全省地区生产总值增长5.5%，居民消费价格上涨0.2%。
二、2026年工作安排
2026年经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇新增就业100万人。
"""


def test_compare_goes_through_the_hybrid_when_an_llm_is_configured(
    session: Session, fake_openai: FakeOpenAI, tmp_path: Path  # noqa: F811
) -> None:
    """Each place's row is the hybrid's answer: the LLM is asked per document, and its five-year figure for
    广东's one-year target does not replace the verified 4.5%—5%."""
    (tmp_path / "zj.txt").write_text(ZHEJIANG, encoding="utf-8")
    session.ingest([tmp_path / "zj.txt"])
    fake_openai.responder = lambda body: REPLIES["wrong_frame"]
    rows = {r.place: r for r in session.compare("2026年GDP增长目标", engine="auto", use_cache=False)}
    assert len(fake_openai.chat_requests) == 2  # one LLM call per place
    assert "4.5%—5%" in rows["广东省"].value and "4.5%—5%" in rows["广东省"].quote
    assert rows["浙江省"].status == "answered" and "5%左右" in rows["浙江省"].value
    assert "2026" in rows["浙江省"].quote


def test_auto_keeps_not_found_when_the_llm_value_is_none_the_evidence_reads_for_the_question(
    session: Session, fake_openai: FakeOpenAI, tmp_path: Path  # noqa: F811
) -> None:
    """The document states no jobs target; the model answers with a grounded quote about something else. The LLM
    engine answers it (its quote holds the value); the hybrid keeps the extractive engine's not_found."""
    (tmp_path / "hn.txt").write_text("Title: 2026年海南省政府工作报告\nDate: 2026-01-26\n\n2026年工作安排\n"
                                     "2026年主要预期目标是：地区生产总值增长5.5%左右。\n"
                                     "全年接待过夜游客人次增长8%，离岛免税购物金额稳步提升。\n", encoding="utf-8")
    session.ingest([tmp_path / "hn.txt"])
    question = "海南2026年城镇新增就业目标是多少?"
    reply = {"answer": "8%", "status": "answered", "confidence": 0.9,
             "citations": [{"chunk_id": "1", "quote": "全年接待过夜游客人次增长8%"}], "candidates": []}
    assert session.ask(question, engine="extractive").status == "not_found"
    fake_openai.script_chat(reply, reply)
    assert session.ask(question, engine="llm", use_cache=False).status == "answered"
    ans = session.ask(question, engine="auto", use_cache=False)
    assert ans.status == "not_found" and ans.citations == []
    assert any("no value the extractive engine reads" in n for n in ans.notes)
