"""The response-format probe against recorded refusals of real servers, replayed over HTTP by the fake server:
any refusal of response_format falls back, the working mode is remembered per server and model, and said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401
from pydantic import BaseModel

from ragtool.config import Settings
from ragtool.errors import ProviderError
from ragtool.llm.client import LLMClient
from ragtool.llm.modes import ModeMemory

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "llm_servers.json").read_text(encoding="utf-8"))
MESSAGES = [{"role": "system", "content": "抽取指标。"}, {"role": "user", "content": "地区生产总值增长5.5%"}]
GOOD = {"indicator": "地区生产总值", "value": "增长5.5%"}


class Figure(BaseModel):
    indicator: str
    value: str


@pytest.fixture
def llm_settings(fake_openai: FakeOpenAI, settings: Settings) -> Settings:  # noqa: F811
    return fake_openai.configure(settings, llm_timeout=5.0, llm_max_retries=3)


def kinds(fake: FakeOpenAI) -> list[str | None]:
    return [(r.body.get("response_format") or {}).get("type") for r in fake.chat_requests]


@pytest.mark.parametrize("server", sorted(RECORDED["format_refusals"]))
def test_a_refused_json_schema_falls_back_once_and_is_remembered(
    server: str, fake_openai: FakeOpenAI, llm_settings: Settings  # noqa: F811
) -> None:
    shape = RECORDED["format_refusals"][server]
    fake_openai.script_chat(Fault.recorded(shape["status"], shape["body"]), GOOD, GOOD)
    client = LLMClient(llm_settings)
    fig, usage = client.structured(MESSAGES, Figure, name="figure")
    assert fig == Figure(**GOOD)
    assert kinds(fake_openai) == ["json_schema", "json_object"]  # the refusal is not retried 3 times
    assert usage.calls == 2
    assert "json_object" in client.mode_note and "json_schema" in client.mode_note
    record = ModeMemory(llm_settings.home).get(fake_openai.base_url, llm_settings.llm_model)
    assert record is not None and record.mode == "json_object" and "json_schema refused" in record.reason

    # a new process (a new client) starts with the remembered mode: no refused call paid again
    LLMClient(llm_settings).structured([MESSAGES[0], {"role": "user", "content": "税收增长3%"}], Figure, name="figure")
    assert kinds(fake_openai) == ["json_schema", "json_object", "json_object"]


def test_the_mode_is_remembered_per_model(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    shape = RECORDED["format_refusals"]["llama-cpp-python"]
    fake_openai.script_chat(Fault.recorded(shape["status"], shape["body"]), GOOD, GOOD)
    LLMClient(llm_settings).structured(MESSAGES, Figure, name="figure")
    other = llm_settings.model_copy(update={"llm_model": "another-model"})
    LLMClient(other).structured(MESSAGES, Figure, name="figure")
    assert kinds(fake_openai) == ["json_schema", "json_object", "json_schema"]


def test_a_server_error_that_is_not_about_the_format_is_retried_and_reported(
    fake_openai: FakeOpenAI, llm_settings: Settings  # noqa: F811
) -> None:
    shape = RECORDED["not_format"]["llama-cpp-python-decode"]
    s = llm_settings.model_copy(update={"llm_max_retries": 1})
    fake_openai.script_chat(*[Fault.recorded(shape["status"], shape["body"])] * 2)
    client = LLMClient(s)
    with pytest.raises(ProviderError, match="HTTP 500.*llama_decode"):
        client.structured(MESSAGES, Figure, name="figure")
    assert kinds(fake_openai) == ["json_schema", "json_schema"]  # the probe, then the one retry
    assert client.mode == "json_schema" and not client.mode_note
    assert ModeMemory(s.home).get(fake_openai.base_url, s.llm_model) is None


def test_a_transient_error_during_the_probe_still_finds_the_mode(
    fake_openai: FakeOpenAI, llm_settings: Settings  # noqa: F811
) -> None:
    fake_openai.script_chat(Fault.server_error(503), GOOD)
    fig, _ = LLMClient(llm_settings).structured(MESSAGES, Figure, name="figure")
    assert fig == Figure(**GOOD) and kinds(fake_openai) == ["json_schema", "json_schema"]
    record = ModeMemory(llm_settings.home).get(fake_openai.base_url, llm_settings.llm_model)
    assert record is not None and record.mode == "json_schema"


def test_a_corrupt_memory_file_is_ignored(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    memory = ModeMemory(llm_settings.home)
    memory.path.parent.mkdir(parents=True, exist_ok=True)
    memory.path.write_text("{not json", encoding="utf-8")
    fake_openai.script_chat(GOOD)
    LLMClient(llm_settings).structured(MESSAGES, Figure, name="figure")
    assert kinds(fake_openai) == ["json_schema"]
    assert json.loads(memory.path.read_text(encoding="utf-8"))["servers"]  # rewritten whole


def test_every_call_sends_max_tokens_sized_to_its_schema(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(GOOD, GOOD)
    client = LLMClient(llm_settings)
    client.structured(MESSAGES, Figure, name="answer")
    client.structured(MESSAGES, Figure, name="summary_map_0")
    sent = [r.body["max_tokens"] for r in fake_openai.chat_requests]
    assert 0 < sent[0] < sent[1] <= llm_settings.llm_context_tokens // 3


def test_a_runaway_reply_is_cut_and_the_reask_fits_the_context(
    fake_openai: FakeOpenAI, llm_settings: Settings  # noqa: F811
) -> None:
    s = llm_settings.model_copy(update={"llm_context_tokens": 2500})
    client = LLMClient(s)
    budget = client.context_budget(MESSAGES[:1] + [{"role": "user", "content": ""}], name="answer")
    context = "资" * (budget - 20)  # a prompt filled to its budget, as the engines fill it
    messages = [MESSAGES[0], {"role": "user", "content": context}]
    runaway = '{"indicator": "地区生产总值", "value": "' + "增长5.5%，" * 600
    fake_openai.script_chat(Fault.truncated_json(runaway), GOOD)
    fig, _ = client.structured(messages, Figure, name="answer")
    assert fig == Figure(**GOOD)
    reask = fake_openai.chat_requests[1].messages
    assert len(reask[-2]["content"]) < 400 and "增长5.5%，增长5.5%，增长5.5%，增长5.5%，增长5.5%" not in reask[-2]["content"]


def test_a_password_in_the_base_url_is_sent_as_the_key_not_as_basic_auth(
    fake_openai: FakeOpenAI, settings: Settings  # noqa: F811
) -> None:
    url = fake_openai.base_url.replace("http://", f"http://me:{fake_openai.api_key}@")
    s = settings.model_copy(update={"openai_base_url": url, "openai_api_key": None, "llm_max_retries": 0})
    fake_openai.script_chat(GOOD)
    fig, _ = LLMClient(s).structured(MESSAGES, Figure, name="figure")
    assert fig == Figure(**GOOD)
    assert fake_openai.chat_requests[0].headers["authorization"] == f"Bearer {fake_openai.api_key}"


def test_doctor_checks_the_llm_server_and_names_its_mode(
    fake_openai: FakeOpenAI, llm_settings: Settings  # noqa: F811
) -> None:
    from ragtool.doctor import run_checks

    shape = RECORDED["format_refusals"]["llama-cpp-python"]
    fake_openai.script_chat(Fault.recorded(shape["status"], shape["body"]), {"ok": True})
    checks = {c["check"]: c for c in run_checks(llm_settings)}
    assert checks["llm"]["ok"] and "response_format json_object" in checks["llm"]["detail"]
    assert "refused response_format json_schema" in checks["llm"]["detail"]
    fake_openai.script_chat(Fault.wrong_key())
    checks = {c["check"]: c for c in run_checks(llm_settings)}
    assert not checks["llm"]["ok"] and "401" in checks["llm"]["detail"]


def test_an_answer_says_once_which_mode_the_server_needed(
    fake_openai: FakeOpenAI, llm_settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    from test_llm_answer import REPORT, chunk_with, ingest, reply

    from ragtool.answer.llm import LLMEngine

    _, hits = ingest(llm_settings, tmp_path, "r.txt", REPORT)
    quote = "地区生产总值增长5%左右"
    good = reply("地区生产总值增长5%左右", citations=[(chunk_with(hits, quote).chunk.chunk_id, quote)])
    shape = RECORDED["format_refusals"]["llama-cpp-python"]
    fake_openai.script_chat(Fault.recorded(shape["status"], shape["body"]), good, good)
    engine = LLMEngine(llm_settings, use_cache=False)
    first = engine.answer("青石镇2025年GDP增长目标是多少?", hits)
    assert first.status == "answered"
    assert any("refused response_format json_schema" in n and "using json_object" in n for n in first.notes)
    second = engine.answer("青石镇2025年GDP增长目标是多少?", hits)
    assert second.status == "answered" and not any("response_format" in n for n in second.notes)


def test_a_password_in_the_url_is_never_written_to_the_mode_memory(
    fake_openai: FakeOpenAI, settings: Settings  # noqa: F811
) -> None:
    url = fake_openai.base_url.replace("http://", f"http://me:{fake_openai.api_key}@")
    s = settings.model_copy(update={"openai_base_url": url, "openai_api_key": None, "llm_max_retries": 0})
    shape = RECORDED["format_refusals"]["llama-cpp-python"]
    fake_openai.script_chat(Fault.recorded(shape["status"], shape["body"]), GOOD)
    client = LLMClient(s)
    client.structured(MESSAGES, Figure, name="figure")
    text = ModeMemory(s.home).path.read_text(encoding="utf-8")
    assert fake_openai.api_key not in text and fake_openai.base_url in text
    assert fake_openai.api_key not in client.mode_note
