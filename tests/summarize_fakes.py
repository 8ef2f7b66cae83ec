"""Helpers for summary tests: fake-model replies built from the chunks a map request really contains."""

from __future__ import annotations

import json
import re
from typing import Any

BLOCK = re.compile(r"\[chunk_id: (?P<id>[^\]]+)\]\n(?P<text>.*?)(?=\n\n\[chunk_id: |\nCONTEXT>>>)", re.S)
FABRICATED = "全镇地区生产总值增长99.9%"


def chunks_in(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(chunk_id, text) of every chunk block in a map request."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return [(m.group("id"), m.group("text")) for m in BLOCK.finditer(user)]


def map_reply(body: dict[str, Any], fabricate: bool = False) -> dict[str, Any]:
    """A valid map reply: one priority per chunk quoting its first 12 characters, its text that quote and the
    label 要点N (plus a made-up figure)."""
    priorities = [{"text": f"{text[:12]}要点{n}", "quote": text[:12], "chunk_id": cid}
                  for n, (cid, text) in enumerate(chunks_in(body)) if text.strip()]
    figures = []
    if fabricate and priorities:
        figures.append({"indicator": "地区生产总值", "value": "增长99.9%", "unit": "%", "year": 2025,
                        "type": "target", "qualifier": "", "quote": FABRICATED,
                        "chunk_id": priorities[0]["chunk_id"]})
    return {"officials": [], "key_figures": figures, "priorities": priorities, "meeting": "",
            "abstract": "本部分概述。"}


def is_reduce(body: dict[str, Any]) -> bool:
    return "summary_reduce" in json.dumps(body.get("response_format") or {}) or any(
        "挑选" in str(m.get("content", "")) for m in body["messages"])
