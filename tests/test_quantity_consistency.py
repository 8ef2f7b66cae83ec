"""One reading of a value everywhere: the same document gives the same figure through ask, summarize and compare,
for every unit of lexicon.toml [quantity] (one document per unit, 湖南's 粮食产量 in 亿公斤 among them); and negative
targets keep their sign in answers, comparison rows and their order, summaries and both CSVs."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from corpora import session_over

from ragtool.api import Session
from ragtool.compare import to_csv
from ragtool.config import Settings
from ragtool.models import DocumentSummary, KeyFigure
from ragtool.summarize.render import to_csv as summaries_csv
from ragtool.zh.lexicon import Lexicon

WORDS = Lexicon.load(Settings()).quantities.words
# units a report states an investment total in is beside the point: the grammar reads each the same way everywhere
UNITS = [u for u in WORDS.units if u not in WORDS.time_units]
INDICATOR = "固定资产投资"  # an indicator with no units of its own: every unit is its figure


def _unit_doc(n: int, unit: str) -> str:
    return f"""Title: 2025年工作报告（第{n}号）
Date: 2026-01-10

2025年工作报告
2025年，全年{INDICATOR}达到36{unit}。
"""


HUNAN = """Title: 2026年湖南省政府工作报告
Date: 2026-01-20

湖南省2026年政府工作报告
一、2025年工作回顾
2025年，全省粮食产量达到667.5亿公斤，农业基础进一步夯实。
"""


def _own(name: str) -> str | None:
    """A collection of this corpus's own on a Chroma server (the module's name plus `name`), else None."""
    module = os.environ.get("RAGTOOL_COLLECTION")
    return f"{module}-{name}" if module else None


@pytest.fixture(scope="module")
def units_session(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> Session:
    files = {f"unit_{i:02d}.txt": _unit_doc(i, u) for i, u in enumerate(UNITS)}
    files["hunan_2026.txt"] = HUNAN
    return session_over(tmp_path_factory, files, _own("units"))


def _figures(summary: DocumentSummary, indicator: str) -> list[KeyFigure]:
    return [f for f in summary.key_figures if f.indicator == indicator]


def test_every_unit_gives_one_figure_through_ask_summarize_and_compare(units_session: Session) -> None:
    docs = {Path(d.source).name: d for d in units_session.documents()}
    rows = {r.doc_id: r for r in units_session.compare(f"2025年{INDICATOR}是多少", engine="extractive")}
    wrong = []
    for i, unit in enumerate(UNITS):
        meta = docs[f"unit_{i:02d}.txt"]
        written = f"36{unit}"
        answer = units_session.ask(f"2025年{INDICATOR}是多少", engine="extractive", doc=meta.doc_id)
        summary = [f.value for f in _figures(units_session.summarize(meta.doc_id, engine="extractive"), INDICATOR)]
        row = rows[meta.doc_id]
        got = (written in answer.answer, summary, row.figure, row.low, answer.quantity and answer.quantity.unit)
        if got != (True, [written], written, 36.0, unit):
            wrong.append((unit, answer.answer, *got))
    assert not wrong, wrong


def test_hunan_grain_in_yi_kilograms_is_one_figure_everywhere(units_session: Session) -> None:
    hunan = next(d for d in units_session.documents() if d.place and "湖南" in d.place)
    answer = units_session.ask("湖南2025年粮食产量多少", engine="extractive")
    assert answer.status == "answered" and "667.5亿公斤" in answer.answer, answer.answer
    summary = _figures(units_session.summarize(hunan.doc_id, engine="extractive"), "粮食产量")
    assert [(f.value, f.number, f.unit, f.year) for f in summary] == [("667.5亿公斤", 667.5, "亿公斤", 2025)]
    (row,) = units_session.compare("2025年粮食产量", places=[hunan.place or ""], engine="extractive")
    assert (row.figure, row.low, row.unit) == ("667.5亿公斤", 667.5, "亿公斤")
    assert row.quantity is not None and row.quantity.base() == pytest.approx(667.5e8)


# ---- negative targets -----------------------------------------------------------------------------------------

TOWNS = {
    "shiwan.txt": """Title: 2026年石湾镇政府工作报告
Date: 2026-01-12

石湾镇2026年政府工作报告
二、2026年工作安排
2026年全镇地区生产总值增长目标为-3.6%。
""",
    "longjiang.txt": """Title: 2026年龙江镇政府工作报告
Date: 2026-01-13

龙江镇2026年政府工作报告
二、2026年工作安排
2026年全镇地区生产总值增长2%左右。
""",
    "houjie.txt": """Title: 2026年厚街镇政府工作报告
Date: 2026-01-14

厚街镇2026年政府工作报告
二、2026年工作安排
2026年全镇地区生产总值下降1.5%。
""",
}


@pytest.fixture(scope="module")
def towns(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> Session:
    return session_over(tmp_path_factory, TOWNS, _own("towns"))


def test_the_lowest_target_is_the_negative_one(towns: Session) -> None:
    answer = towns.ask("哪个镇2026年GDP增长目标最低", engine="extractive")
    assert answer.status == "answered"
    assert "石湾镇：-3.6%（最低）" in answer.answer, answer.answer
    assert [r.place for r in answer.comparison][:2] == ["石湾镇", "厚街镇"]
    highest = towns.ask("哪个镇2026年GDP增长目标最高", engine="extractive")
    assert "龙江镇：2%左右（最高）" in highest.answer, highest.answer


def test_compare_rows_sort_and_csv_keep_the_sign(towns: Session) -> None:
    rows = towns.compare("2026年GDP增长目标", engine="extractive", sort="value")
    assert [(r.place, r.low, r.figure) for r in rows] == [
        ("龙江镇", 2.0, "2%左右"), ("厚街镇", -1.5, "下降1.5%"), ("石湾镇", -3.6, "-3.6%")]
    cells = {r["place"]: r for r in csv.DictReader(io.StringIO(to_csv(rows)))}
    assert (cells["石湾镇"]["low"], cells["石湾镇"]["figure"]) == ("-3.6", "-3.6%")  # a bare negative stays readable
    assert cells["厚街镇"]["low"] == "-1.5"


def test_summaries_and_their_csv_keep_the_sign(towns: Session) -> None:
    docs = {d.place: d for d in towns.documents()}
    summaries = {place: towns.summarize(d.doc_id, engine="extractive") for place, d in docs.items()}
    shiwan = _figures(summaries["石湾镇"], "地区生产总值")
    houjie = _figures(summaries["厚街镇"], "地区生产总值")
    assert [(f.value, f.change, f.type) for f in shiwan] == [("-3.6%", "-3.6%", "target")]
    assert [(f.value, f.change) for f in houjie] == [("下降1.5%", "-1.5%")]
    text = summaries_csv(summaries.values()).decode("utf-8-sig")
    rows = {r["place"]: r for r in csv.DictReader(io.StringIO(text))}
    assert (rows["石湾镇"]["value"], rows["石湾镇"]["change"]) == ("-3.6%", "-3.6%")
    assert rows["厚街镇"]["change"] == "-1.5%"


# ---- ratios -----------------------------------------------------------------------------------------------------


def test_a_ratio_is_a_value(tmp_path_factory: pytest.TempPathFactory) -> None:
    """平昌县三次产业结构是多少 is answered with the structure, not with 三次 read as a count."""
    session = session_over(tmp_path_factory, {"pingchang.txt": """Title: 2026年平昌县政府工作报告
Date: 2026-01-15

平昌县2026年政府工作报告
一、2025年工作回顾
2025年，全县地区生产总值完成205.6亿元，同比增长6.2%，三次产业结构调整为22.8:21.2:56.0。
"""})
    answer = session.ask("平昌县三次产业结构是多少", engine="extractive")
    assert answer.status == "answered" and answer.answer.endswith("22.8:21.2:56.0"), answer.answer
    assert answer.quantity is not None and answer.quantity.parts == [22.8, 21.2, 56.0]
