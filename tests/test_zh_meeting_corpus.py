"""The meeting-news corpus (tests/corpora/meetings.tsv): who delivered the report, presided or attended; the opening
day resolved against the document's date; the venue; the titles a name holds. A fix starts as a line there."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.zh.dates import claimed_days, clock_times, day_of_month, relative_day
from ragtool.zh.meeting import MeetingReader
from ragtool.zh.officials import OfficialFinder
from ragtool.zh.textnorm import t2s

CORPUS = Path(__file__).parent / "corpora" / "meetings.tsv"


def _lines(kind: str) -> list[list[str]]:
    rows = [line.split("\t") for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [row[1:] for row in rows if row and row[0] == kind]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("home"))


@pytest.mark.parametrize(("text", "expected"), _lines("act"))
def test_who_did_what_at_the_meeting(settings: Settings, text: str, expected: str) -> None:
    simp = t2s(text)
    acts = OfficialFinder.load(settings).acts(simp)
    got = "; ".join(f"{a.act}:{simp[slice(*a.name)]}" for a in acts) or "-"
    assert got == expected


@pytest.mark.parametrize(("doc_date", "text", "expected"), _lines("day"))
def test_a_day_without_its_month_is_read_against_the_documents_date(doc_date: str, text: str, expected: str) -> None:
    found = day_of_month(text, None if doc_date == "None" else doc_date)
    assert (found[1] if found else "-") == expected


@pytest.mark.parametrize(("text", "expected"), _lines("venue"))
def test_the_venue_after_the_opening_day(settings: Settings, text: str, expected: str) -> None:
    simp = t2s(text)
    date_end = simp.find("日") + 1
    found = MeetingReader.load(settings).opened_after(simp, date_end)
    assert (text[slice(*found)] if found else "-") == expected


@pytest.mark.parametrize(("text", "name", "titles"), _lines("chain"))
def test_every_title_a_name_holds(settings: Settings, text: str, name: str, titles: str) -> None:
    finder = OfficialFinder.load(settings)
    simp = t2s(text)
    mention = next(m for m in finder.find(simp) if simp[slice(*m.name)] == name)
    assert "|".join(simp[slice(*r)] for r in finder.chained_roles(simp, mention)) == titles


@pytest.mark.parametrize(("doc_date", "text", "expected"), _lines("relday"))
def test_a_day_named_relative_to_the_report_is_read_against_its_date(settings: Settings, doc_date: str, text: str,
                                                                     expected: str) -> None:
    words = MeetingReader.load(settings).day_words()
    found = relative_day(text, None if doc_date == "None" else doc_date, words)
    assert (found[1] if found else "-") == expected


@pytest.mark.parametrize(("text", "expected"), _lines("event"))
def test_what_a_date_is_the_day_of(settings: Settings, text: str, expected: str) -> None:
    simp = t2s(text)
    assert (MeetingReader.load(settings).event_after(simp, simp.find("日") + 1) or "-") == expected


@pytest.mark.parametrize(("text", "expected"), _lines("title"))
def test_titles_as_printed(settings: Settings, text: str, expected: str) -> None:
    simp = t2s(text.replace("\\n", "\n"))
    found = OfficialFinder.load(settings).find(simp)
    assert ("; ".join(f"{simp[slice(*m.role)]}:{simp[slice(*m.name)]}" for m in found) or "-") == expected


@pytest.mark.parametrize(("text", "name", "expected"), _lines("shared"))
def test_a_bare_office_takes_the_organisation_before_it(settings: Settings, text: str, name: str, expected: str) -> None:
    finder = OfficialFinder.load(settings)
    simp = t2s(text)
    mention = next(m for m in finder.find(simp) if simp[slice(*m.name)] == name)
    for pair in expected.split("; "):
        asked, said = pair.split(":")
        assert finder.shares_organisation(simp, mention, asked) is (said == "yes"), asked


@pytest.mark.parametrize(("text", "expected"), _lines("clock"))
def test_a_time_of_day(text: str, expected: str) -> None:
    found = clock_times(t2s(text))
    assert (found[0][1] if found else "-") == expected


@pytest.mark.parametrize(("text", "name", "expected"), _lines("phrase"))
def test_a_title_as_asked_holds_its_organisation(settings: Settings, text: str, name: str, expected: str) -> None:
    finder = OfficialFinder.load(settings)
    simp = t2s(text)
    mention = next(m for m in finder.find(simp) if simp[slice(*m.name)] == name)
    assert simp[slice(*finder.title_phrase(simp, mention))] == expected


@pytest.mark.parametrize(("text", "expected"), _lines("asked"))
def test_the_days_a_question_claims(text: str, expected: str) -> None:
    got = ";".join(f"{m or '-'}/{d or '-'}" for m, d in claimed_days(t2s(text)))
    assert (got or "-") == expected


@pytest.mark.parametrize(("text", "title", "expected"), _lines("roster"))
def test_the_names_listed_under_a_title(settings: Settings, text: str, title: str, expected: str) -> None:
    simp = t2s(text)
    found = OfficialFinder.load(settings).roster(simp, title)
    assert (simp[slice(*found)] if found else "-") == expected
