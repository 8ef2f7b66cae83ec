"""The LLM engine: map over groups of chunks, merge in Python, then let the model only pick items by id.

Quotes never pass through a rewriting step: each map item is verified against its chunk and kept as is;
the reduce call sees numbered items and returns ids (plus an abstract), so provenance cannot be lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from ragtool.answer.grounding import Grounding, pair_share, substantial, value_grounded
from ragtool.config import Settings
from ragtool.errors import ExitCode, RagtoolError
from ragtool.llm.client import InvalidReplyError, LLMClient, count_message_tokens, count_tokens, reply_reserve
from ragtool.llm.prompts import load_prompt, render
from ragtool.models import Chunk, Document, DocumentSummary, KeyFigure, Official, Priority, Usage
from ragtool.summarize.provenance import dedupe, figure_key, official_key, priority_key, verified
from ragtool.zh.textnorm import fold

MAP_SYSTEM, MAP_USER = "summary_map.system.md", "summary_map.user.md"
REDUCE_SYSTEM, REDUCE_USER = "summary_reduce.system.md", "summary_reduce.user.md"
DELIMITERS = ("<<<CONTEXT", "CONTEXT>>>")
ABSTRACT_CHARS = 200


class EmptySummaryError(RagtoolError):
    """The LLM's replies held nothing usable: a failed document (exit 4), never an empty success."""

    exit_code = ExitCode.PARTIAL


class MapResult(BaseModel):
    """What the model extracts from one group of chunks. The item lists are required (an empty list when the text
    has none): a reply holding only an abstract is not a summary, and is asked again."""

    officials: list[Official]
    key_figures: list[KeyFigure]
    priorities: list[Priority]
    meeting: str = ""
    abstract: str = ""


class ReduceResult(BaseModel):
    """The model's choice among merged items, by id, and the abstract."""

    officials: list[str] = Field(default_factory=list)
    key_figures: list[str] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)
    abstract: str = ""


@dataclass
class Merged:
    """Verified, deduplicated map items of one document, with the map abstracts and meetings."""

    officials: list[Official] = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    meetings: list[str] = field(default_factory=list)
    abstracts: list[str] = field(default_factory=list)

    def numbered(self) -> dict[str, dict[str, BaseModel]]:
        return {
            "officials": {f"O{i}": o for i, o in enumerate(self.officials, 1)},
            "key_figures": {f"F{i}": f for i, f in enumerate(self.key_figures, 1)},
            "priorities": {f"P{i}": p for i, p in enumerate(self.priorities, 1)},
        }


def llm_version(settings: Settings) -> str:
    """Versions of the map and reduce prompts: part of every LLM summary, used by resume."""
    return f"{load_prompt(settings, MAP_SYSTEM).version}+{load_prompt(settings, REDUCE_SYSTEM).version}"


def _safe(text: str) -> str:
    """Document text cannot close the context block early."""
    for d in DELIMITERS:
        text = text.replace(d, d.replace("<", "‹").replace(">", "›"))
    return text


def chunk_block(chunk: Chunk) -> str:
    return f"[chunk_id: {chunk.chunk_id}]\n{_safe(chunk.text)}"


def _header(doc: Document) -> dict[str, str]:
    m = doc.meta
    return {"title": _safe(m.title), "date": m.date or "", "kind": m.kind, "place": m.place or ""}


def map_messages(settings: Settings, doc: Document, group: list[Chunk]) -> list[dict[str, str]]:
    context = "\n\n".join(chunk_block(c) for c in group)
    user = render(load_prompt(settings, MAP_USER).text, context=context, **_header(doc))
    return [{"role": "system", "content": load_prompt(settings, MAP_SYSTEM).text}, {"role": "user", "content": user}]


def group_chunks(settings: Settings, doc: Document, chunks: list[Chunk]) -> list[list[Chunk]]:
    """Chunks in order, packed into groups whose map prompt fits llm_context_tokens (with room for the reply)."""
    reserve = reply_reserve(settings, "summary_map")
    budget = settings.llm_context_tokens - reserve - count_message_tokens(map_messages(settings, doc, []))
    groups: list[list[Chunk]] = []
    used = 0
    for chunk in sorted(chunks, key=lambda c: c.index):
        cost = count_tokens(chunk_block(chunk)) + 2
        if groups and used + cost <= budget:
            groups[-1].append(chunk)
            used += cost
        else:
            groups.append([chunk])
            used = cost
    return groups


def merge_maps(doc: Document, groups: list[list[Chunk]], results: list[MapResult],
               settings: Settings | None = None) -> Merged:
    """Verify every item against the chunks of its own group, keep only grounded ones (the quote is substantial
    and holds the item's value, name or role), then deduplicate (first occurrence wins)."""
    merged = Merged()
    title = doc.meta.title
    folded_text = fold(doc.text)
    g = Grounding.load(settings) if settings is not None else Grounding.default()
    for group, result in zip(groups, results, strict=True):
        by_id = {c.chunk_id: c for c in group}
        merged.officials += [o for o in verified(result.officials, by_id, title, group) if official_grounded(o, g)]
        merged.key_figures += [f for f in verified(result.key_figures, by_id, title, group) if figure_grounded(f, g)]
        merged.priorities += [p for p in verified(result.priorities, by_id, title, group) if priority_grounded(p, g)]
        if result.meeting and fold(result.meeting) in folded_text:
            merged.meetings.append(result.meeting.strip())
        if result.abstract.strip():
            merged.abstracts.append(result.abstract.strip())
    merged.officials = dedupe(merged.officials, official_key)
    merged.key_figures = dedupe(merged.key_figures, figure_key)
    merged.priorities = dedupe(merged.priorities, priority_key)
    return merged


def official_grounded(o: Official, g: Grounding) -> bool:
    """The name is in the quote, and most of the role."""
    return (substantial(o.quote, g) and bool(fold(o.name)) and fold(o.name) in fold(o.quote)
            and pair_share(o.role, o.quote) >= g.min_pair_share)


def figure_grounded(f: KeyFigure, g: Grounding) -> bool:
    """The value (its numbers and words) is in the quote."""
    return value_grounded(f.value, f.quote, "", g)


def priority_grounded(p: Priority, g: Grounding) -> bool:
    """The priority says what its quote says: most of its character pairs are in it."""
    return substantial(p.quote, g) and pair_share(p.text, p.quote) >= g.min_pair_share


def reduce_messages(settings: Settings, doc: Document, merged: Merged) -> list[dict[str, str]]:
    items = {
        kind: {key: item.model_dump(exclude={"quote", "chunk_id"}) for key, item in table.items()}
        for kind, table in merged.numbered().items()
    }
    context = _safe(json.dumps({**items, "part_abstracts": merged.abstracts}, ensure_ascii=False, indent=1))
    user = render(load_prompt(settings, REDUCE_USER).text, context=context, **_header(doc))
    return [{"role": "system", "content": load_prompt(settings, REDUCE_SYSTEM).text},
            {"role": "user", "content": user}]


def needs_reduce(merged: Merged, groups: list[list[Chunk]]) -> bool:
    return len(groups) > 1


def _pick(table: dict[str, BaseModel], ids: list[str]) -> list[BaseModel]:
    chosen = [table[i] for i in dict.fromkeys(ids) if i in table]
    return chosen or list(table.values())


def finish(settings: Settings, doc: Document, merged: Merged, reduced: ReduceResult | None) -> DocumentSummary:
    """The DocumentSummary: items chosen by id (all of them without a reduce step), never rewritten."""
    table = merged.numbered()
    pick = reduced or ReduceResult()
    abstract = (reduced.abstract if reduced else "") or (merged.abstracts[0] if merged.abstracts else "")
    m = doc.meta
    return DocumentSummary(
        doc_id=m.doc_id, title=m.title, place=m.place, kind=m.kind, date=m.date,
        meeting=merged.meetings[0] if merged.meetings else "",
        officials=_pick(table["officials"], pick.officials),  # type: ignore[arg-type]
        key_figures=_split_all(settings, _pick(table["key_figures"], pick.key_figures)),
        priorities=_pick(table["priorities"], pick.priorities),  # type: ignore[arg-type]
        abstract=abstract.strip()[:ABSTRACT_CHARS],
        engine="llm", prompt_version=llm_version(settings),
    )


def _split_all(settings: Settings, figures: list[BaseModel]) -> list[KeyFigure]:
    """Each figure's value also split into number, unit and change (the extractive engine's rule)."""
    from ragtool.summarize.figures import split_figure
    from ragtool.summarize.rules import Rules

    rules = Rules.load(settings)
    return [split_figure(f, rules) for f in figures if isinstance(f, KeyFigure)]


def summarize_llm(settings: Settings, doc: Document, chunks: list[Chunk], use_cache: bool = True,
                  client: LLMClient | None = None) -> tuple[DocumentSummary, Usage]:
    """Map-reduce summary of one document through the configured OpenAI-compatible server."""
    client = client or LLMClient(settings, use_cache)
    usage = Usage()
    groups = group_chunks(settings, doc, chunks)
    results: list[MapResult] = []
    invalid: list[InvalidReplyError] = []
    for n, group in enumerate(groups):
        try:
            result, u = client.structured(map_messages(settings, doc, group), MapResult, name=f"summary_map_{n}")
        except InvalidReplyError as e:  # this part's reply was unusable twice: the other parts may still hold items
            invalid.append(e)
            result, u = MapResult(officials=[], key_figures=[], priorities=[]), Usage()
        results.append(result)
        usage.add(u)
    merged = merge_maps(doc, groups, results, settings)
    if not (merged.officials or merged.key_figures or merged.priorities):
        why = f"; no reply was valid: {invalid[-1]}" if invalid and len(invalid) == len(groups) else ""
        raise EmptySummaryError("the LLM's replies held no item that could be verified against the text (an abstract "
                                f"alone, or figures copied from elsewhere, is not a summary){why}")
    reduced = None
    if needs_reduce(merged, groups):
        reduced, u = client.structured(reduce_messages(settings, doc, merged), ReduceResult, name="summary_reduce")
        usage.add(u)
    return finish(settings, doc, merged, reduced), usage
