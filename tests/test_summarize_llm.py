"""The LLM engine against the fake OpenAI server: re-ask, provenance through map-reduce, fabricated quotes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, fake_openai  # noqa: F401
from pydantic import SecretStr
from summarize_fakes import FABRICATED, chunks_in, is_reduce, map_reply

from ragtool.config import Settings
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import load_file
from ragtool.ingest.pipeline import prepare
from ragtool.llm.client import count_message_tokens
from ragtool.models import Chunk, Document
from ragtool.summarize import summarize_document

REPO = Path(__file__).resolve().parent.parent
SEED_002 = next((REPO / "seeds").glob("002_*.txt"))
DEV_016 = REPO / "evals" / "devcorpus" / "docs" / "016_hanbin.txt"


@pytest.fixture
def fake(fake_openai: FakeOpenAI) -> FakeOpenAI:  # noqa: F811
    """The fake OpenAI server (a short name for the shared fixture)."""
    return fake_openai


def llm_settings(settings: Settings, fake: FakeOpenAI, **extra: Any) -> Settings:
    return settings.model_copy(update={"openai_base_url": fake.base_url, "openai_api_key": SecretStr(fake.api_key),
                                       "llm_model": "fake-model", "llm_max_retries": 0, **extra})


def prepared(settings: Settings, path: Path) -> tuple[Document, list[Chunk]]:
    return prepare(load_file(path), Cleaner.from_settings(settings), settings)


def test_invalid_reply_is_re_asked_and_the_valid_one_used(settings: Settings, fake: FakeOpenAI) -> None:
    s = llm_settings(settings, fake, llm_context_tokens=16000)
    doc, chunks = prepared(s, DEV_016)
    first = chunks[0]
    quote = first.text[:10]
    valid = {"officials": [{"name": "向诗兵", "role": "代区长", "quote": "代区长 向诗兵", "chunk_id": first.chunk_id}],
             "key_figures": [], "priorities": [{"text": quote, "quote": quote, "chunk_id": first.chunk_id}],
             "meeting": "汉滨区第十九届人民代表大会第四次会议", "abstract": "汉滨区政府工作报告。"}
    fake.script_chat("这不是 JSON", valid)
    summary = summarize_document(s, doc, chunks, engine="llm")
    assert len(fake.chat_requests) == 2  # one map group, asked twice
    assert [(o.name, o.role) for o in summary.officials] == [("向诗兵", "代区长")]
    assert summary.priorities[0].quote == quote and summary.priorities[0].chunk_id == first.chunk_id
    assert summary.meeting == "汉滨区第十九届人民代表大会第四次会议"
    assert summary.engine == "llm" and summary.prompt_version.startswith("summary-map-")
    assert summary.abstract == "汉滨区政府工作报告。"


def test_provenance_survives_map_reduce_and_fabrications_are_dropped(
    settings: Settings, fake: FakeOpenAI
) -> None:
    s = llm_settings(settings, fake, llm_context_tokens=3300)
    doc, chunks = prepared(s, SEED_002)
    by_id = {c.chunk_id: c for c in chunks}
    reduce_bodies: list[dict[str, Any]] = []

    def responder(body: dict[str, Any]) -> Any:
        if is_reduce(body):
            reduce_bodies.append(body)
            return {"officials": [], "key_figures": ["F1"], "priorities": ["P3", "P1", "P999"],
                    "abstract": "凤岗镇2025年政府工作报告摘要。"}
        return map_reply(body, fabricate=True)

    fake.responder = responder
    summary = summarize_document(s, doc, chunks, engine="llm", use_cache=False)
    map_requests = [r for r in fake.chat_requests if not is_reduce(r.body)]
    assert len(map_requests) > 1 and len(reduce_bodies) == 1
    # every map request stays within the token budget and keeps the document inside the context block
    for r in map_requests:
        system, user = r.messages[0]["content"], r.messages[1]["content"]
        head, _, rest = user.partition("<<<CONTEXT")
        body_text = chunks_in(r.body)[0][1]
        assert body_text not in system and body_text not in head
        assert body_text in rest.partition("CONTEXT>>>")[0]
        assert count_message_tokens(r.messages) <= s.llm_context_tokens
    # the reduce step only chose and ordered ids: quotes and chunk ids are the map's, verbatim
    assert [p.text[-3:] for p in summary.priorities] == ["要点2", "要点0"]
    for p in summary.priorities:
        assert p.quote in by_id[p.chunk_id].text
    first_group = chunks_in(map_requests[0].body)
    assert summary.priorities[1].chunk_id == first_group[0][0]
    # the fabricated figure never verified, so it never reached the reduce step nor the summary
    assert all(f.quote != FABRICATED for f in summary.key_figures)
    assert summary.key_figures == []
    assert FABRICATED not in str(reduce_bodies[0]["messages"])
    assert summary.abstract == "凤岗镇2025年政府工作报告摘要。"


def test_wrong_chunk_id_is_repaired_within_the_group_and_unknown_quotes_dropped(
    settings: Settings, fake: FakeOpenAI
) -> None:
    s = llm_settings(settings, fake, llm_context_tokens=16000)
    doc, chunks = prepared(s, DEV_016)
    second = chunks[1]
    reply = {"officials": [], "key_figures": [], "priorities": [{"text": "真", "quote": second.text[:8], "chunk_id": chunks[0].chunk_id},
                            {"text": "假", "quote": "不存在的引文内容", "chunk_id": second.chunk_id}]}
    fake.script_chat(reply)
    summary = summarize_document(s, doc, chunks, engine="llm", use_cache=False)
    assert [(p.text, p.chunk_id) for p in summary.priorities] == [("真", second.chunk_id)]


def test_an_empty_reply_is_a_failed_document_not_an_empty_summary(settings: Settings, fake: FakeOpenAI) -> None:
    from ragtool.errors import ExitCode
    from ragtool.summarize.llm import EmptySummaryError

    s = llm_settings(settings, fake, llm_context_tokens=16000)
    doc, chunks = prepared(s, DEV_016)
    empty = {"officials": [], "key_figures": [], "priorities": [], "meeting": "", "abstract": ""}
    fake.script_chat(empty)
    with pytest.raises(EmptySummaryError) as caught:
        summarize_document(s, doc, chunks, engine="llm", use_cache=False)
    assert caught.value.exit_code == ExitCode.PARTIAL == 4
    unusable = {"officials": [{"name": "无名氏", "role": "镇长", "quote": FABRICATED, "chunk_id": chunks[0].chunk_id}],
                "key_figures": [], "priorities": [], "meeting": "", "abstract": "  "}
    fake.script_chat(unusable)
    with pytest.raises(EmptySummaryError):
        summarize_document(s, doc, chunks, engine="llm", use_cache=False)


def test_llm_figures_are_split_like_extractive_ones(settings: Settings, fake: FakeOpenAI) -> None:
    s = llm_settings(settings, fake, llm_context_tokens=16000)
    doc, chunks = prepared(s, SEED_002)
    holder = next(c for c in chunks if "地区生产总值411亿元" in c.text)
    reply = {"officials": [], "priorities": [], "meeting": "", "abstract": "凤岗镇政府工作报告。",
             "key_figures": [{"indicator": "地区生产总值", "value": "411亿元", "unit": "亿元", "year": 2024,
                              "type": "actual", "quote": "地区生产总值411亿元", "chunk_id": holder.chunk_id},
                             {"indicator": "地区生产总值", "value": "同比增长3.6%", "unit": "%", "year": 2024,
                              "type": "actual", "quote": "同比增长3.6%", "chunk_id": holder.chunk_id}]}
    fake.responder = lambda body: reply if not is_reduce(body) else {"officials": [], "key_figures": [],
                                                                     "priorities": [], "abstract": ""}
    summary = summarize_document(s, doc, chunks, engine="llm", use_cache=False)
    split = {f.as_written: (f.number, f.change) for f in summary.key_figures}
    assert split == {"411亿元": (411.0, ""), "同比增长3.6%": (None, "+3.6%")}


def test_an_abstract_only_reply_is_asked_again_and_then_a_failed_document(settings: Settings, fake: FakeOpenAI) -> None:
    from ragtool.summarize.llm import EmptySummaryError

    s = llm_settings(settings, fake, llm_context_tokens=16000)
    doc, chunks = prepared(s, DEV_016)
    abstract_only = {"abstract": "汉滨区政府工作报告，回顾了2024年工作。"}
    fake.script_chat(abstract_only, abstract_only)
    with pytest.raises(EmptySummaryError, match="abstract alone"):
        summarize_document(s, doc, chunks, engine="llm", use_cache=False)
    assert len(fake.chat_requests) == 2  # the re-ask names the missing lists
    assert "officials" in fake.chat_requests[1].messages[-1]["content"]
    schema = fake.chat_requests[0].body["response_format"]["json_schema"]["schema"]
    assert {"officials", "key_figures", "priorities"} <= set(schema["required"])

    # example figures copied from nowhere verify against nothing: still a failed document
    copied = {"officials": [], "priorities": [], "abstract": "摘要。", "key_figures": [
        {"indicator": "地区生产总值", "value": "411亿元", "quote": "地区生产总值411亿元", "chunk_id": chunks[0].chunk_id}]}
    fake.script_chat(copied)
    with pytest.raises(EmptySummaryError):
        summarize_document(s, doc, chunks, engine="llm", use_cache=False)


def test_prompts_hold_no_figure_a_model_could_copy_as_an_answer() -> None:
    import re

    figure = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|亿|万|元|个百分点)")
    for path in sorted((REPO / "prompts").glob("*.md")):
        assert not figure.search(path.read_text(encoding="utf-8")), path.name
