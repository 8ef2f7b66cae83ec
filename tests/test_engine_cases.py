"""Every engine case in tests/cases/*.toml: a file's documents are indexed once (hash embedder, Chroma in a temp
dir), then each case asks one question and checks what a user reads. A fix starts as a line there."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomllib
from corpora import session_over

from ragtool.api import Session
from ragtool.eval.normalize import contains
from ragtool.models import Answer

CASES_DIR = Path(__file__).parent / "cases"
SUITES: dict[str, dict[str, Any]] = {
    p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES_DIR.glob("*.toml"))
}

# Each check: a case field and what it asserts of the answer. A field not listed here is an error, so a typo never
# silently drops an assertion.
CHECKS: dict[str, Callable[[Answer, Any], bool]] = {
    "has": lambda a, v: all(s in a.answer for s in v),  # raw substrings of the answer text
    "lacks": lambda a, v: not any(s in a.answer for s in v),
    "has_value": lambda a, v: all(contains(a.answer, s) for s in v),  # through eval normalisation
    "lacks_value": lambda a, v: not any(contains(a.answer, s) for s in v),
    "equals": lambda a, v: a.answer == v,
    "items": lambda a, v: a.answer.split("、") == v,  # a list answer, item by item
    "starts_with": lambda a, v: a.answer.startswith(v),
    "not_ends_with": lambda a, v: not a.answer.endswith(v),
    "max_len": lambda a, v: len(a.answer) <= v,
    "quotes_have": lambda a, v: all(s in "".join(c.quote for c in a.citations) for s in v),
    "a_quote_has": lambda a, v: any(v in c.quote for c in a.citations),
    "notes_have": lambda a, v: all(any(s in n for n in a.notes) for s in v),
    "cited": lambda a, v: bool(a.citations) == v,
}
CASE_KEYS = {"id", "question", "status", "engine", "cited_place", "cited_year", *CHECKS}


def _ids() -> list[tuple[str, int]]:
    return [(name, i) for name, suite in SUITES.items() for i in range(len(suite["cases"]))]


def _case_id(key: tuple[str, int]) -> str:
    name, i = key
    return f"{name}:{SUITES[name]['cases'][i].get('id', i)}"


@pytest.fixture(scope="module")
def session_for(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> Callable[[str], Session]:
    """Each case file's corpus, built once per store backend, in the module's collection (on a Chroma server each
    test also gets a collection of its own, dropped after it: the corpora must not live there)."""
    built: dict[str, Session] = {}
    collection = os.environ.get("RAGTOOL_COLLECTION")

    def get(name: str) -> Session:
        if name not in built:
            docs = SUITES[name]["documents"]
            own = f"{collection}-{name}"[:50] if collection else None  # one collection per corpus (prefix-dropped)
            built[name] = session_over(tmp_path_factory, {d["name"]: d["text"] for d in docs}, own)
        return built[name]

    return get


@pytest.mark.parametrize("key", _ids(), ids=_case_id)
def test_engine_case(session_for: Callable[[str], Session], key: tuple[str, int]) -> None:
    name, i = key
    case = SUITES[name]["cases"][i]
    assert set(case) <= CASE_KEYS, f"unknown fields: {set(case) - CASE_KEYS}"
    status = case.get("status", "answered")
    checks = {k: v for k, v in case.items() if k in CHECKS or k.startswith("cited_")}
    assert status != "any" or checks, "a case that checks nothing cannot fail"
    session = session_for(name)
    answer = session.ask(case["question"], engine=case.get("engine", "extractive"))
    if status != "any":
        assert answer.status == status, (case["question"], answer.answer)
    for field, want in checks.items():
        if field == "cited_place":
            docs = {m.place: m.doc_id for m in session.corpus.documents()}
            ok = all(c.doc_id == docs[want] for c in answer.citations)
        elif field == "cited_year":
            ok = all(session.retriever.docs()[c.doc_id].year == want for c in answer.citations)
        else:
            ok = CHECKS[field](answer, want)
        assert ok, (case["question"], field, want, answer.answer)


@pytest.mark.parametrize("name", [n for n, s in SUITES.items() if "places" in s], ids=str)
def test_corpus_places(session_for: Callable[[str], Session], name: str) -> None:
    """A file's places: the place each of its documents is filed under."""
    places = [m.place for m in session_for(name).corpus.documents()]
    assert sorted(places) == sorted(SUITES[name]["places"])
