"""The Chinese text layer (ragtool/zh) against its corpora: tests/corpora/{sentences,headings,numerals,dates,script,words}.tsv.

Each line of a corpus is a real case from the dev documents: text → what the reader must return. A fix starts as a
line in the corpus; this file only runs them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.zh import dates, numerals, script
from ragtool.zh.headings import heading_lines, heading_rules, numbered
from ragtool.zh.lexicon import Lexicon
from ragtool.zh.sentences import clauses, parts, sentences
from ragtool.zh.words import shorten, snap, word_rules

CORPORA = Path(__file__).parent / "corpora"
SEP = " | "


def _rows(name: str, columns: int) -> list[pytest.param]:
    """The corpus lines as parameters (comment lines start with #), each named by its line number."""
    out = []
    path = CORPORA / name
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.replace("\\n", "\n") for c in line.split("\t")]
        assert len(cells) >= columns, f"{name}:{n}: expected {columns} tab-separated columns"
        out.append(pytest.param(*cells[:columns], id=f"{name}:{n}"))
    return out


@pytest.mark.parametrize(("reader", "text", "expected"), _rows("sentences.tsv", 3))
def test_sentences(reader: str, text: str, expected: str) -> None:
    read = {"sentences": sentences, "parts": parts, "clauses": clauses}[reader]
    assert SEP.join(text[a:b] for a, b in read(text)) == expected


@pytest.mark.parametrize(("text", "expected"), _rows("headings.tsv", 2))
def test_headings(text: str, expected: str) -> None:
    rules = heading_rules(Settings())
    found = []
    for start, end in sorted(heading_lines(text, rules).items()):
        line_end = text.find("\n", start)
        numbering = numbered(text[start : len(text) if line_end < 0 else line_end], rules)
        found.append(f"{numbering.level if numbering else 0}:{text[start:end]}")
    assert (SEP.join(found) or "-") == expected


def _none_or_int(value: int | None) -> str:
    return "none" if value is None else str(value)


@pytest.mark.parametrize(("reader", "text", "expected"), _rows("numerals.tsv", 3))
def test_numerals(reader: str, text: str, expected: str) -> None:
    if reader == "number":
        assert _none_or_int(numerals.number(text)) == expected
    elif reader == "year":
        assert _none_or_int(numerals.year_value(text)) == expected
    else:
        assert reader == "digits"
        assert numerals.to_digits(text) == expected


@pytest.mark.parametrize(("reader", "text", "doc_year", "expected"), _rows("dates.tsv", 4))
def test_dates(reader: str, text: str, doc_year: str, expected: str) -> None:
    year = None if doc_year == "-" else int(doc_year)
    if reader == "dates":
        got = [d.iso or f"--{d.month:02d}-{d.day:02d}" for d in dates.dates(text, year)]
    elif reader == "years":
        got = [str(y) for y in dates.years(text)]
    elif reader == "digit_years":
        got = [dates.digit_years(text)]
    else:
        assert reader == "relative"
        table = Lexicon.load(Settings()).timeframe.get("relative_years", {})
        got = [_none_or_int(dates.relative_year(text, year, table))]
    assert SEP.join(got) == expected


@pytest.mark.parametrize(("reader", "text", "expected"), _rows("script.tsv", 3))
def test_script(reader: str, text: str, expected: str) -> None:
    if reader == "strip_pinyin":
        assert script.strip_pinyin(text) == expected
    else:
        assert reader == "simplified"
        got = script.simplified(text)
        assert got == expected and len(got) == len(text)


def test_a_users_headings_toml_is_read(tmp_path: Path) -> None:
    """A copy of headings.toml in the data dir drives the one heading reader (the old list of plain patterns too)."""
    (tmp_path / "headings.toml").write_text("numbered = ['[一二三四五六七八九十]{1,3}、', '[A-Z]\\. ']\n", encoding="utf-8")
    rules = heading_rules(Settings(data_dir=tmp_path))
    assert numbered("B. 重点任务", rules) is not None
    assert numbered("(一)改革创新优环境稳实体", rules) is None  # not in the user's rules
    found = numbered("二、2025年工作安排", rules)
    assert found is not None and found.level == 1 and found.number == 2


@pytest.mark.parametrize(("reader", "text", "expected"), _rows("words.tsv", 3))
def test_words(reader: str, text: str, expected: str) -> None:
    rules = word_rules(Settings())
    if reader == "snap":
        start = text.index("|")
        end = text.index("|", start + 1) - 1
        plain = text.replace("|", "")
        lo, hi = snap(plain, start, end, rules)
        assert plain[lo:hi] == expected
    else:
        assert shorten(text, int(reader.split(":")[1]), rules) == expected


def test_a_cut_past_either_end_of_the_text_snaps_to_the_end() -> None:
    rules = word_rules(Settings())
    assert snap("地区生产总值增长5%", -3, 40, rules) == (0, 10)
