"""The quantity grammar against its corpus (tests/corpora/quantities.tsv): one line, one value as a user reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.quantity import Quantity, QuantityGrammar
from ragtool.zh.textnorm import halfwidth, t2s

CORPUS = Path(__file__).parent / "corpora" / "quantities.tsv"


def _lines() -> list[tuple[str, dict[str, str]]]:
    out = []
    for raw in CORPUS.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        text, spec = raw.split("\t")
        fields = dict(item.split("=", 1) for item in spec.split(" "))
        out.append((text, fields))
    return out


@pytest.fixture(scope="module")
def grammar(tmp_path_factory: pytest.TempPathFactory) -> QuantityGrammar:
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    return Lexicon.load(settings).quantities


def _check(q: Quantity, fields: dict[str, str]) -> list[str]:
    wrong = []
    for key, want in fields.items():
        if key == "text":
            continue
        got = getattr(q, key)
        if key == "parts":
            ok = got == [float(v) for v in want.split(",")]
        elif key in ("low", "high"):
            ok = got is not None and abs(got - float(want)) < 1e-9
        elif isinstance(got, bool):
            ok = got == (want == "true")
        else:
            ok = str(got) == want
        if not ok:
            wrong.append(f"{key}={got!r} (want {want})")
    if "high" not in fields and "low" in fields and q.high != q.low:
        wrong.append(f"high={q.high!r} (want {fields['low']})")
    return wrong


@pytest.mark.parametrize(("text", "fields"), _lines(), ids=[t for t, _ in _lines()])
def test_corpus_line(grammar: QuantityGrammar, text: str, fields: dict[str, str]) -> None:
    found = grammar.read(t2s(halfwidth(text)))
    match = [q for q in found if q.text == fields["text"]]
    assert match, f"{fields['text']!r} not read from {text!r}; read {[q.text for q in found]}"
    assert not _check(match[0], fields), _check(match[0], fields)


def test_every_unit_has_a_corpus_line(grammar: QuantityGrammar) -> None:
    """A unit added to lexicon.toml needs a sentence here that reads it."""
    read_units = {q.unit for text, _ in _lines() for q in grammar.read(t2s(halfwidth(text)))}
    missing = [u for u in (*grammar.words.units, *grammar.words.time_units) if u not in read_units]
    assert not missing, f"units in lexicon.toml [quantity] with no corpus line: {missing}"


def test_a_lexicon_copy_without_quantity_words_still_reads_values(tmp_path: Path) -> None:
    """A user's lexicon.toml copied before [quantity] existed: values are read with the bundled words."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "lexicon.toml").write_text('version = "old"\n[indicator."地区生产总值"]\nforms = ["地区生产总值"]\n',
                                       encoding="utf-8")
    grammar = Lexicon.load(Settings(home=tmp_path / "home", data_dir=data)).quantities
    assert [(q.text, q.low, q.bound) for q in grammar.read("地区生产总值增长5.5%左右")] == [("增长5.5%左右", 5.5, "about")]
