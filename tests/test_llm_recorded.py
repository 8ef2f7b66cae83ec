"""Real replies of a small local model, replayed: Qwen2.5-Coder-1.5B-Instruct (GGUF Q4_K_M) behind
llama-cpp-python 0.3.36, CPU only, recorded through benchmarks/record_llm.py while it answered ragtool's own prompts
(tests/fixtures/llm_recorded.json says how each was asked). Each reply goes through the fake OpenAI server over HTTP,
the way the model sent it (content and finish_reason), and is asked through a Session over the same documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.models import Answer

HERE = Path(__file__).resolve().parent
RECORDED: dict[str, Any] = json.loads((HERE / "fixtures" / "llm_recorded.json").read_text(encoding="utf-8"))


def replayed(name: str) -> Fault:
    r = RECORDED[name]
    return Fault(content=r["content"], finish_reason=r["finish_reason"])


def session_for(name: str, fake: FakeOpenAI, settings: Settings, tmp_path: Path) -> Session:
    r = RECORDED[name]
    s = fake.configure(settings, llm_timeout=10.0, llm_max_retries=0, llm_context_tokens=r["context_tokens"])
    session = Session(s, sync=False)
    paths = []
    for doc in r["docs"]:
        if doc.startswith("evals/"):
            paths.append(HERE.parent / doc)
        else:  # a document written into the fixture
            path = tmp_path / doc
            path.write_text(RECORDED["_documents"][doc], encoding="utf-8")
            paths.append(path)
    session.ingest(paths)
    return session


def ask(name: str, fake: FakeOpenAI, settings: Settings, tmp_path: Path, engine: str = "llm",
        *replies: Fault) -> Answer:
    session = session_for(name, fake, settings, tmp_path)
    fake.script_chat(*(replies or (replayed(name),)))
    return session.ask(RECORDED[name]["question"], engine=engine, use_cache=False)  # type: ignore[arg-type]


def quotes(ans: Answer) -> str:
    return "".join(c.quote for c in ans.citations)


def test_the_right_value_with_a_wrong_quote_answers_with_a_verified_quote(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """北京2026年GDP增长目标?: the model said 5%左右 (right) quoting the 2025 result (增长5.4%)."""
    assert "5.4%" in json.loads(RECORDED["beijing_wrong_quote"]["content"])["citations"][0]["quote"]
    for engine in ("llm", "auto"):
        ans = ask("beijing_wrong_quote", fake_openai, settings, tmp_path, engine)
        assert ans.status == "answered" and "5%左右" in ans.answer, (engine, ans.notes)
        assert "5%左右" in quotes(ans) and "5.4%" not in quotes(ans)
        assert all(c.doc_id and c.quote for c in ans.citations)


def test_the_frame_case_answers_the_one_year_target(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """广东2026年GDP目标?: the model answered the 十五五 average (年均增长5%左右). Vetoed for its time frame, it gives way
    to the extractive engine's verified 2026 target 4.5%—5%, in the LLM engine and the hybrid alike."""
    assert "年均" in json.loads(RECORDED["guangdong_frame"]["content"])["answer"]
    for engine in ("llm", "auto"):
        ans = ask("guangdong_frame", fake_openai, settings, tmp_path, engine)
        assert ans.status == "answered" and "4.5%—5%" in ans.answer and "4.5%—5%" in quotes(ans), ans.notes
        assert "年均" not in quotes(ans)
        assert any("年均增长5%左右' was vetoed" in n for n in ans.notes), (engine, ans.notes)


def test_fenced_json_is_read(fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path) -> None:  # noqa: F811
    assert RECORDED["fenced"]["content"].lstrip().startswith("```")
    ans = ask("fenced", fake_openai, settings, tmp_path)
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and "4.5%—5%" in quotes(ans), ans.notes
    assert ans.usage.calls == 1


def test_reasoning_written_into_the_json_is_ignored(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """Asked to think first, the model wrote its reasoning as a "think" key of the JSON: an extra key, ignored."""
    assert "think" in json.loads(RECORDED["think"]["content"])
    ans = ask("think", fake_openai, settings, tmp_path)
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and "4.5%—5%" in quotes(ans), ans.notes
    assert ans.usage.calls == 1


def test_json_cut_off_by_max_tokens_is_asked_again(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """The model's reply cut at max_tokens (finish_reason length), then its whole reply to the re-ask."""
    assert RECORDED["truncated"]["finish_reason"] == "length"
    ans = ask("truncated", fake_openai, settings, tmp_path, "llm", replayed("truncated"), replayed("plain"))
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and ans.usage.calls == 2, ans.notes
    assert "JSON" in fake_openai.chat_requests[-1].messages[-1]["content"]  # the re-ask names what was wrong


def test_the_models_plain_json_reply_is_read(fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path) -> None:  # noqa: F811
    """Plain mode (no response_format, ragtool's JSON instructions): the model's reply as sent."""
    ans = ask("plain", fake_openai, settings, tmp_path)
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and "4.5%—5%" in quotes(ans), ans.notes


def test_the_chunk_behind_the_best_hint_leads_the_context(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """With a 2,500-token budget only one chunk of the Beijing report fits: it is the one stating the extractive
    engine's best reading, so the model can quote the target sentence itself (as it then did: beijing_hints_first)."""
    ans = ask("beijing_hints_first", fake_openai, settings, tmp_path)
    context = fake_openai.chat_requests[-1].messages[-1]["content"].split("规则抽取的候选答案")[0]
    assert "地区生产总值增长5%左右" in context and "增长5.4%" not in context
    assert ans.status == "answered" and "5%左右" in quotes(ans)
    assert not any(n.startswith("citation repaired") for n in ans.notes)  # its own quote held


def test_the_models_value_of_another_indicator_is_ungrounded(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """2026年GDP增长目标是多少? over a report whose targets name no GDP figure: the model answered 3.1%, quoting
    规模以上工业增加值增长3.1%. Not the asked indicator: not_found, in the LLM engine and the hybrid."""
    assert json.loads(RECORDED["other_indicator"]["content"])["answer"] == "3.1%"
    for engine in ("llm", "auto"):
        ans = ask("other_indicator", fake_openai, settings, tmp_path, engine)
        assert ans.status == "not_found" and ans.citations == [], (engine, ans.notes)
        assert "3.1%" not in ans.answer
    assert any("belongs to 规模以上工业增加值" in n for n in ans.notes)


def test_the_models_wrong_verdict_gives_way_to_the_checkers(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """2026年GDP增长目标是5.5%左右吗?: the model said 是, quoting the target sentence that states 5%左右. The yes/no
    checker reads 不是 in it: that is the answer, and the notes say the model's verdict was vetoed."""
    assert json.loads(RECORDED["wrong_verdict"]["content"])["answer"] == "是"
    ans = ask("wrong_verdict", fake_openai, settings, tmp_path, "llm")
    assert ans.status == "answered" and ans.answer.startswith("不是") and "5%左右" in ans.answer, ans.notes
    assert "5%左右" in quotes(ans)
    assert any("'是' was vetoed" in n for n in ans.notes)


def test_a_garbled_reply_with_debris_on_its_quote_and_other_quote_marks_is_cited(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    """贵州新一轮“3个100万”具体指什么: the model's JSON came back garbled, its quote writing “ ” as ‘ ’ and ending in
    JSON debris (。”},{). The quote verifies without the debris, whatever its quotation marks."""
    assert "”},{" in RECORDED["garbled_json"]["content"]
    ans = ask("garbled_json", fake_openai, settings, tmp_path)
    assert ans.status == "answered", ans.notes
    for item in ("中心城市新增人口100万", "县城新增人口100万", "旅居人口100万"):
        assert item in quotes(ans)
    assert "“3个100万”" in quotes(ans)
