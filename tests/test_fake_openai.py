"""The fake OpenAI server speaks the API the way the real openai client expects (others' tests rely on it)."""

from __future__ import annotations

import io
import json

import openai
import pytest
from fake_openai import FakeOpenAI, Fault, fake_openai  # noqa: F401


def client(fake: FakeOpenAI, **kw: object) -> openai.OpenAI:
    return openai.OpenAI(api_key=fake.api_key, base_url=fake.base_url, max_retries=0, timeout=5, **kw)  # type: ignore[arg-type]


def batch_line(custom_id: str, text: str) -> str:
    body = {"model": "m", "messages": [{"role": "user", "content": text}]}
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body})


def upload(c: openai.OpenAI, lines: list[str]) -> str:
    data = ("\n".join(lines) + "\n").encode()
    return c.files.create(file=("requests.jsonl", io.BytesIO(data)), purpose="batch").id


def test_batch_runs_through_the_chat_responder(fake_openai: FakeOpenAI) -> None:  # noqa: F811
    fake_openai.responder = lambda body: {"echo": body["messages"][-1]["content"]}
    c = client(fake_openai)
    file_id = upload(c, [batch_line("a", "第一"), batch_line("b", "第二")])
    assert c.files.retrieve(file_id).purpose == "batch"
    batch = c.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h",
                             metadata={"job": "summaries"})
    assert batch.status == "validating" and batch.metadata == {"job": "summaries"}
    statuses = [c.batches.retrieve(batch.id).status for _ in range(fake_openai.batch_steps)]
    assert statuses == ["in_progress", "completed"]
    done = c.batches.retrieve(batch.id)
    assert done.request_counts is not None and done.request_counts.completed == 2
    assert done.output_file_id is not None and done.error_file_id is None
    rows = [json.loads(line) for line in c.files.content(done.output_file_id).text.splitlines()]
    by_id = {r["custom_id"]: r["response"] for r in rows}
    assert by_id["b"]["status_code"] == 200
    content = by_id["b"]["body"]["choices"][0]["message"]["content"]
    assert json.loads(content) == {"echo": "第二"}
    assert by_id["b"]["body"]["usage"]["total_tokens"] > 0


def test_failed_batch_requests_go_to_the_error_file(fake_openai: FakeOpenAI) -> None:  # noqa: F811
    fake_openai.batch_steps = 1
    fake_openai.script_chat("好", Fault.server_error())
    c = client(fake_openai)
    batch = c.batches.create(input_file_id=upload(c, [batch_line("a", "x"), batch_line("b", "y")]),
                             endpoint="/v1/chat/completions", completion_window="24h")
    done = c.batches.retrieve(batch.id)
    assert done.status == "completed" and done.error_file_id is not None
    (err,) = [json.loads(line) for line in c.files.content(done.error_file_id).text.splitlines()]
    assert err["custom_id"] == "b" and err["response"]["status_code"] == 500


def test_invalid_batch_input_fails_the_batch(fake_openai: FakeOpenAI) -> None:  # noqa: F811
    fake_openai.batch_steps = 1
    c = client(fake_openai)
    batch = c.batches.create(input_file_id=upload(c, ["not json"]), endpoint="/v1/chat/completions",
                             completion_window="24h")
    done = c.batches.retrieve(batch.id)
    assert done.status == "failed" and done.errors is not None and done.errors.data
    with pytest.raises(openai.NotFoundError):
        c.batches.create(input_file_id="file-missing", endpoint="/v1/chat/completions", completion_window="24h")


def test_cancel_and_list(fake_openai: FakeOpenAI) -> None:  # noqa: F811
    c = client(fake_openai)
    batch = c.batches.create(input_file_id=upload(c, [batch_line("a", "x")]), endpoint="/v1/chat/completions",
                             completion_window="24h")
    assert c.batches.cancel(batch.id).status == "cancelling"
    assert c.batches.retrieve(batch.id).status == "cancelled"
    assert [b.id for b in c.batches.list()] == [batch.id]
    assert c.files.delete(batch.input_file_id).deleted


def test_auth_models_and_embedding_encodings(fake_openai: FakeOpenAI) -> None:  # noqa: F811
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(api_key="wrong", base_url=fake_openai.base_url, max_retries=0).models.list()
    c = client(fake_openai)
    fake_openai.models = {"m1", "m2"}
    assert sorted(m.id for m in c.models.list()) == ["m1", "m2"]
    as_b64 = c.embeddings.create(model="m1", input=["甲", "乙"]).data  # the SDK asks for base64
    as_float = c.embeddings.create(model="m1", input=["甲", "乙"], encoding_format="float").data
    assert [round(v, 5) for v in as_b64[1].embedding] == [round(v, 5) for v in as_float[1].embedding]
    assert fake_openai.embedding_requests[0].body["encoding_format"] == "base64"
    with pytest.raises(openai.NotFoundError):
        c.embeddings.create(model="m3", input="x")


def test_fault_replies(fake_openai: FakeOpenAI) -> None:  # noqa: F811
    c = client(fake_openai)
    msgs: list[openai.types.chat.ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]
    fake_openai.script_chat(Fault.rate_limit(), Fault.model_not_found("m"), Fault.truncated_json(), Fault.slow(2))
    with pytest.raises(openai.RateLimitError) as rl:
        c.chat.completions.create(model="m", messages=msgs)
    assert rl.value.response.headers["retry-after"] == "1"
    with pytest.raises(openai.NotFoundError):
        c.chat.completions.create(model="m", messages=msgs)
    truncated = c.chat.completions.create(model="m", messages=msgs)
    assert truncated.choices[0].finish_reason == "length"
    with pytest.raises(openai.APITimeoutError):
        c.with_options(timeout=0.2).chat.completions.create(model="m", messages=msgs)
    assert fake_openai.pending_chat == 0
