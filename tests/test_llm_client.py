"""LLMClient against the fake OpenAI server over real HTTP: structured output, faults, cache, usage."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401
from pydantic import BaseModel, SecretStr

from ragtool.config import Settings
from ragtool.errors import ExitCode, ProviderError, UsageError
from ragtool.llm.client import LLMClient, count_tokens, extract_json, fit_blocks
from ragtool.llm.prompts import load_prompt, parse_prompt, render
from ragtool.models import Usage


class Figure(BaseModel):
    indicator: str
    value: str


MESSAGES = [{"role": "system", "content": "抽取指标。"}, {"role": "user", "content": "地区生产总值增长5.5%"}]
GOOD = {"indicator": "地区生产总值", "value": "增长5.5%"}


@pytest.fixture
def llm_settings(fake_openai: FakeOpenAI, settings: Settings) -> Settings:  # noqa: F811
    return fake_openai.configure(settings, llm_timeout=3.0, llm_max_retries=1)  # room for one retry's pause


def ask(s: Settings, messages: list[dict[str, str]] = MESSAGES, **kw: bool) -> tuple[Figure, Usage]:
    return LLMClient(s, **kw).structured(messages, Figure, name="figure")


def cache_files(s: Settings) -> list[Path]:
    folder = s.home / "cache" / "llm"
    return sorted(folder.glob("*.json")) if folder.exists() else []


# ---- structured output ---------------------------------------------------------------------------


def test_structured_happy_path_uses_json_schema(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(GOOD)
    fig, usage = ask(llm_settings)
    assert fig == Figure(**GOOD)
    (req,) = fake_openai.chat_requests
    fmt = req.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "figure"
    assert set(fmt["json_schema"]["schema"]["properties"]) == {"indicator", "value"}
    assert req.body["model"] == llm_settings.llm_model
    assert req.messages == MESSAGES
    assert usage.calls == 1 and usage.cached_calls == 0
    assert usage.prompt_tokens > 0 and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_fallback_json_object_then_plain_and_mode_is_remembered(
    fake_openai: FakeOpenAI, llm_settings: Settings  # noqa: F811
) -> None:
    fake_openai.reject_modes = {"json_schema", "json_object"}
    fake_openai.script_chat("好的，结果如下：\n```json\n" + json.dumps(GOOD, ensure_ascii=False) + "\n```",
                            GOOD)
    client = LLMClient(llm_settings)
    fig, usage = client.structured(MESSAGES, Figure, name="figure")
    assert fig == Figure(**GOOD)
    kinds = [(r.body.get("response_format") or {}).get("type") for r in fake_openai.chat_requests]
    assert kinds == ["json_schema", "json_object", None]
    assert usage.calls == 3
    plain = fake_openai.chat_requests[-1]
    assert "JSON Schema" in plain.messages[-1]["content"] and '"indicator"' in plain.messages[-1]["content"]
    assert plain.messages[0] == MESSAGES[0]  # the system message is untouched

    other = [MESSAGES[0], {"role": "user", "content": "一般公共预算收入12亿元"}]
    _, usage2 = client.structured(other, Figure, name="figure")
    assert len(fake_openai.chat_requests) == 4  # no rejected attempts paid again
    assert "response_format" not in fake_openai.chat_requests[-1].body
    assert usage2.calls == 1


def test_scripted_json_schema_rejection_falls_back_to_json_object(
    fake_openai: FakeOpenAI, llm_settings: Settings  # noqa: F811
) -> None:
    fake_openai.script_chat(Fault.reject_response_format("json_schema"), GOOD)
    fig, usage = ask(llm_settings)
    assert fig.value == "增长5.5%"
    assert fake_openai.chat_requests[-1].body["response_format"] == {"type": "json_object"}
    assert usage.calls == 2


def test_invalid_json_then_valid_reasks_once(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.truncated_json('{"indicator": "地区生产总值", "val'), GOOD)
    fig, usage = ask(llm_settings)
    assert fig == Figure(**GOOD)
    first, second = fake_openai.chat_requests
    assert usage.calls == 2
    assert usage.completion_tokens > 0 and usage.prompt_tokens > 30  # both calls' tokens
    assert second.messages[:2] == MESSAGES
    assert second.messages[2] == {"role": "assistant", "content": '{"indicator": "地区生产总值", "val'}
    assert second.messages[3]["role"] == "user" and "JSON" in second.messages[3]["content"]


def test_schema_violation_reask_names_the_field(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat({"indicator": "地区生产总值"}, GOOD)
    fig, _ = ask(llm_settings)
    assert fig.value == "增长5.5%"
    assert "value" in fake_openai.chat_requests[1].messages[-1]["content"]


def test_two_invalid_replies_raise_provider_error(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat("我不知道", "还是不知道")
    with pytest.raises(ProviderError) as err:
        ask(llm_settings)
    assert "figure" in str(err.value) and "\n" not in str(err.value)
    assert len(fake_openai.chat_requests) == 2
    assert cache_files(llm_settings) == []


def test_rate_limit_is_retried_and_counted(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.rate_limit(), GOOD)
    client = LLMClient(llm_settings)
    fig, usage = client.structured(MESSAGES, Figure, name="figure")
    assert fig == Figure(**GOOD)
    assert usage.calls == 2 and len(fake_openai.chat_requests) == 2
    assert client.usage.calls == 2


def test_server_error_is_retried(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.server_error(500), GOOD)
    fig, usage = ask(llm_settings)
    assert fig == Figure(**GOOD) and usage.calls == 2


def test_the_timeout_is_a_deadline_for_the_whole_call(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.slow(8), Fault.slow(8), GOOD)
    client = LLMClient(llm_settings)
    t0 = time.monotonic()
    with pytest.raises(ProviderError) as err:
        client.structured(MESSAGES, Figure, name="figure")
    seconds = time.monotonic() - t0
    msg = str(err.value)
    assert fake_openai.base_url in msg and "3 s" in msg
    assert err.value.exit_code == ExitCode.PROVIDER
    assert len(fake_openai.chat_requests) == 1  # no retry once the deadline has passed
    assert seconds < 5.5  # the 3 s deadline (+ the SDK's retry pause), not 3 s per attempt
    assert cache_files(llm_settings) == []


def test_wrong_key_is_a_clear_error_without_the_key(fake_openai: FakeOpenAI, settings: Settings) -> None:  # noqa: F811
    planted = "sk-planted-wrong-key-987654321"
    s = fake_openai.configure(settings, llm_max_retries=1)
    s = s.model_copy(update={"openai_api_key": SecretStr(planted)})
    with pytest.raises(ProviderError) as err:
        ask(s)
    msg = str(err.value)
    assert "API key" in msg and "401" in msg and fake_openai.base_url in msg
    assert planted not in msg
    assert len(fake_openai.chat_requests) == 1  # 401 is not retried


def test_unknown_model(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.models = {"qwen2.5-7b-instruct"}
    with pytest.raises(ProviderError) as err:
        ask(llm_settings.model_copy(update={"llm_model": "no-such-model"}))
    assert "no-such-model" in str(err.value) and "404" in str(err.value)


def test_server_down_names_the_url(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    s = settings.model_copy(update={"openai_base_url": url, "llm_max_retries": 0, "llm_timeout": 1.0})
    with pytest.raises(ProviderError) as err:
        ask(s)
    assert url in str(err.value) and "cannot reach" in str(err.value)


def test_garbage_body_is_a_provider_error(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.garbage())
    with pytest.raises(ProviderError, match="HTML page"):
        ask(llm_settings)


# ---- cache ---------------------------------------------------------------------------------------


def test_identical_call_is_served_from_cache(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(GOOD)
    first, _ = ask(llm_settings)
    second, usage = ask(llm_settings)  # a new client: the cache is on disk
    assert second == first
    assert len(fake_openai.chat_requests) == 1
    assert usage.cached_calls == 1 and usage.calls == 0 and usage.total_tokens == 0


def test_use_cache_false_calls_again(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(GOOD, {"indicator": "地区生产总值", "value": "5.6%"})
    ask(llm_settings)
    fresh, usage = ask(llm_settings, use_cache=False)
    assert fresh.value == "5.6%" and usage.calls == 1
    assert len(fake_openai.chat_requests) == 2


def test_failed_call_is_not_cached(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.server_error(503), Fault.server_error(503), GOOD)
    with pytest.raises(ProviderError, match="503"):
        ask(llm_settings)
    assert cache_files(llm_settings) == []
    fig, usage = ask(llm_settings)
    assert fig == Figure(**GOOD) and usage.calls == 1 and usage.cached_calls == 0


def test_corrupt_cache_entry_is_ignored_and_rewritten(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(GOOD, GOOD)
    ask(llm_settings)
    (path,) = cache_files(llm_settings)
    path.write_text('{"content": "{\\"indic', encoding="utf-8")
    fig, usage = ask(llm_settings)
    assert fig == Figure(**GOOD) and usage.calls == 1
    assert json.loads(path.read_text(encoding="utf-8"))["content"]
    _, usage3 = ask(llm_settings)
    assert usage3.cached_calls == 1 and len(fake_openai.chat_requests) == 2


def test_cache_files_never_contain_the_key(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.reject_modes = {"json_schema"}
    fake_openai.script_chat(GOOD, "oops", GOOD)
    ask(llm_settings)
    ask(llm_settings, [MESSAGES[0], {"role": "user", "content": "另一个问题"}])
    files = cache_files(llm_settings)
    assert len(files) == 2
    for path in files:
        assert fake_openai.api_key not in path.read_text(encoding="utf-8")


# ---- tokens, JSON extraction, prompts, import cost ------------------------------------------------


def test_fit_blocks_drops_lowest_ranked_first() -> None:
    blocks = ["第一块" * 50, "第二块" * 50, "第三块" * 50]
    budget = count_tokens(blocks[0]) * 2 + 5
    assert fit_blocks(blocks, budget) == blocks[:2]
    assert fit_blocks(blocks, 1) == []


def test_prompt_over_context_is_refused_before_sending(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    s = llm_settings.model_copy(update={"llm_context_tokens": 50})
    with pytest.raises(UsageError, match="llm_context_tokens"):
        ask(s, [{"role": "user", "content": "很长的资料" * 100}])
    assert fake_openai.chat_requests == []


def test_extract_json_from_chatty_replies() -> None:
    assert extract_json('<think>先想想{"x": 0}</think>答案：{"a": {"b": 1}} 以上') == {"a": {"b": 1}}
    assert extract_json('```json\n{"a": 2}\n```') == {"a": 2}
    with pytest.raises(ValueError):
        extract_json("没有 JSON")


def test_render_is_safe_with_braces_in_values() -> None:
    out = render("资料：{context}\n问题：{question}", context="正文 {question} {{x}} {0}", question="GDP?")
    assert out == "资料：正文 {question} {{x}} {0}\n问题：GDP?"
    assert render('{"answer": "…"} {missing}', other=1) == '{"answer": "…"} {missing}'


def test_prompt_files_are_versioned(settings: Settings) -> None:
    for name in ("answer.system.md", "answer.user.md", "answer.block.md", "answer.hints.md", "json_format.user.md", "reask.user.md",
                 "summary_map.system.md", "summary_map.user.md", "summary_reduce.system.md",
                 "summary_reduce.user.md"):
        prompt = load_prompt(settings, name)
        assert prompt.version and prompt.text and not prompt.text.startswith("---"), name
    assert parse_prompt("x", "version: v9\nHello").version == "v9"


def test_user_prompt_dir_overrides_bundled(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "answer.system.md").write_text("---\nversion: mine-1\n---\n自定义", encoding="utf-8")
    prompt = load_prompt(settings.model_copy(update={"prompts_dir": tmp_path / "p"}), "answer.system.md")
    assert (prompt.version, prompt.text) == ("mine-1", "自定义")


def test_importing_the_client_does_not_import_openai() -> None:
    code = "import sys, ragtool.llm.client, ragtool.answer.llm; print('openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_usage_is_exact_when_threads_share_a_client(fake_openai: FakeOpenAI, llm_settings: Settings) -> None:  # noqa: F811
    fake_openai.script_chat(Fault.rate_limit())
    fake_openai.responder = lambda body: GOOD
    client = LLMClient(llm_settings)
    questions = [[MESSAGES[0], {"role": "user", "content": f"第{i}段"}] for i in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        usages = [u for _, u in pool.map(lambda m: client.structured(m, Figure, name="figure"), questions)]
    assert sum(u.calls for u in usages) == 7 == client.usage.calls == len(fake_openai.chat_requests)
