"""The OpenAI Batch API path: one /v1/chat/completions request per map group, in one JSONL file.

The same file runs with vLLM's batch runner (`python -m vllm.entrypoints.openai.run_batch`); its output file
is read by `parse_results`. Batch mode has no reduce call: items are merged deterministically in Python.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtool.config import Settings
from ragtool.errors import ProviderError
from ragtool.fsutil import write_text_atomic
from ragtool.llm.client import LLMClient, parse_reply, provider_error
from ragtool.llm.prompts import load_prompt
from ragtool.models import DocumentSummary
from ragtool.summarize.batch import Failure, Job
from ragtool.summarize.llm import (
    MAP_SYSTEM,
    MapResult,
    finish,
    group_chunks,
    map_messages,
    merge_maps,
)

ENDPOINT = "/v1/chat/completions"
FINAL = ("completed", "failed", "expired", "cancelled")
Result = tuple[Job, DocumentSummary | Failure]


def batch_version(settings: Settings) -> str:
    """Prompt version of batch summaries: the map prompt, merged without a reduce call."""
    return f"{load_prompt(settings, MAP_SYSTEM).version}+batch-merge"


def custom_id(doc_id: str, group: int) -> str:
    return f"{doc_id}:map:{group}"


def request_lines(settings: Settings, jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Batch input lines: one chat completion with a JSON-schema response format per map group."""
    schema = {"name": "summary_map", "schema": MapResult.model_json_schema(), "strict": False}
    lines = []
    for job in jobs:
        for n, group in enumerate(group_chunks(settings, job.doc, job.chunks)):
            body = {"model": settings.llm_model, "temperature": 0.0,
                    "messages": map_messages(settings, job.doc, group),
                    "response_format": {"type": "json_schema", "json_schema": schema}}
            lines.append({"custom_id": custom_id(job.doc_id, n), "method": "POST", "url": ENDPOINT, "body": body})
    return lines


def write_batch_file(settings: Settings, jobs: Sequence[Job], path: Path) -> int:
    """Write the batch input JSONL (atomically); returns the number of requests."""
    lines = request_lines(settings, jobs)
    write_text_atomic(path, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return len(lines)


def parse_results(text: str) -> dict[str, str | Exception]:
    """custom_id -> reply content, or the error of that request, from a batch output (or error) file."""
    out: dict[str, str | Exception] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            cid = item["custom_id"]
        except (ValueError, KeyError, TypeError):
            continue
        response = item.get("response") or {}
        body = response.get("body") or {}
        if item.get("error") or response.get("status_code") != 200:
            message = (item.get("error") or body.get("error") or {}).get("message", "request failed")
            out[cid] = ProviderError(f"batch request {cid} failed: {message}")
            continue
        try:
            out[cid] = body["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            out[cid] = ProviderError(f"batch request {cid}: reply has no message content")
    return out


def summaries_from_results(settings: Settings, jobs: Sequence[Job], results: dict[str, str | Exception]
                           ) -> Iterator[Result]:
    """Validate and verify every group's reply; a document with a missing or invalid group fails."""
    version = batch_version(settings)
    for job in jobs:
        groups = group_chunks(settings, job.doc, job.chunks)
        maps: list[MapResult] = []
        try:
            for n in range(len(groups)):
                reply = results.get(custom_id(job.doc_id, n))
                if reply is None:
                    raise ProviderError(f"no result for batch request {custom_id(job.doc_id, n)}")
                if isinstance(reply, Exception):
                    raise reply
                try:
                    maps.append(parse_reply(reply, MapResult))
                except ValueError as e:
                    raise ProviderError(f"invalid reply to {custom_id(job.doc_id, n)}: {' '.join(str(e).split())[:200]}"
                                        ) from None
        except Exception as e:  # noqa: BLE001 - reported per document
            yield job, Failure(doc_id=job.doc_id, error=" ".join(str(e).split()))
            continue
        summary = finish(settings, job.doc, merge_maps(job.doc, groups, maps, settings), None)
        yield job, summary.model_copy(update={"prompt_version": version})


@dataclass
class BatchAPI:
    """Upload, create, poll and download one batch through the openai client."""

    settings: Settings
    poll_interval: float = 30.0
    timeout: float | None = None
    sleep: Callable[[float], None] = time.sleep

    def run(self, jobs: Sequence[Job]) -> Iterator[Result]:
        if not jobs:
            return iter(())
        lines = request_lines(self.settings, jobs)
        data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
        return summaries_from_results(self.settings, jobs, self.submit(data))

    def submit(self, data: bytes) -> dict[str, str | Exception]:
        import openai

        raw = LLMClient(self.settings).raw
        try:
            uploaded = raw.files.create(file=("ragtool-summaries.jsonl", data), purpose="batch")
            batch = raw.batches.create(input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h")
            started = time.monotonic()
            while batch.status not in FINAL:
                if self.timeout is not None and time.monotonic() - started > self.timeout:
                    raise ProviderError(f"batch {batch.id} still {batch.status} after {self.timeout:g}s; "
                                        "its results stay available on the server")
                self.sleep(self.poll_interval)
                batch = raw.batches.retrieve(batch.id)
            if batch.status != "completed":
                errors = getattr(batch, "errors", None)
                detail = "; ".join(e.message or "" for e in (errors.data or [])) if errors else ""
                raise ProviderError(f"batch {batch.id} {batch.status}{': ' + detail if detail else ''}")
            results: dict[str, str | Exception] = {}
            for file_id in (batch.error_file_id, batch.output_file_id):
                if file_id:
                    results.update(parse_results(raw.files.content(file_id).text))
            return results
        except openai.APIError as e:
            raise provider_error(e, self.settings, model=self.settings.llm_model) from None
