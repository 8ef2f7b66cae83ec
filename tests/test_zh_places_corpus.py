"""The places corpus (tests/corpora/places.tsv): each document title and opening, and each question, resolves to the
expected place and parents through the gazetteer; names that are not places (提升市, 健康县) resolve to nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.query import PlaceIndex, Vocabulary, parse_query
from ragtool.zh.places import load_place_rules, read_doc_places
from ragtool.zh.textnorm import halfwidth, t2s

CORPUS = Path(__file__).parent / "corpora" / "places.tsv"


def _rows() -> list[tuple[str, str, str, str]]:
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [tuple(line.split("\t")) for line in lines]  # type: ignore[misc]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("home"), embedder="hash")


@pytest.mark.parametrize(("kind", "text", "opening", "expected"), _rows())
def test_place_of_text(settings: Settings, kind: str, text: str, opening: str, expected: str) -> None:
    rules = load_place_rules(settings)
    if kind == "doc":
        found = read_doc_places(t2s(halfwidth(text)), t2s(opening), rules)
        chain = ">".join([*found.chain, found.place]) if found.place else "-"
    else:
        pq = parse_query(text, Vocabulary.load(settings), PlaceIndex.from_docs([], rules))
        gz = rules.gazetteer
        chains = [">".join(p.name for p in gz.chain(c)) for c in pq.place_codes]
        chain = chains[0] if len(chains) == 1 else "-" if not chains else "|".join(chains)
    assert chain == expected


def test_non_places_never_in_a_documents_places(settings: Settings) -> None:
    found = read_doc_places("推进健康县、示范县和重点县建设", "提升市场活力,人口市民化,建设大型灌区,水源涵养区保护", load_place_rules(settings))
    assert found.places == []


def test_a_user_adds_a_place_in_places_toml(tmp_path: Path) -> None:
    from ragtool.config import PACKAGE_DIR

    data = tmp_path / "data"
    data.mkdir()
    toml = (PACKAGE_DIR / "data" / "places.toml").read_text(encoding="utf-8")
    (data / "places.toml").write_text(toml.replace("[added]\n", '[added]\n"松山湖街道" = "广东省东莞市"\n'), encoding="utf-8")
    settings = Settings(home=tmp_path / "home", embedder="hash", data_dir=data)
    rules = load_place_rules(settings)
    pq = parse_query("松山湖街道2025年GDP", Vocabulary.load(settings), PlaceIndex.from_docs([], rules))
    assert [[p.name for p in rules.gazetteer.chain(c)] for c in pq.place_codes] == [["广东省", "东莞市", "松山湖街道"]]
