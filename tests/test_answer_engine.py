"""The typed-candidate engine on a provincial report and a town report written for the test: places at every
level, time frames (2025 actual, 2026 target, 十五五 average), yes/no answers, --explain and scoring.toml."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from corpora import session_over
from faultkit import cli, cli_env

from ragtool.api import Session
from ragtool.config import PACKAGE_DIR
from ragtool.eval.normalize import contains

PROVINCE = """Title: 2026年湖北省政府工作报告
Date: 2026-02-10

政府工作报告
——2026年1月28日在湖北省第十四届
人民代表大会第五次会议上
湖北省省长 李晓明
各位代表：
一、2025年和“十四五”时期工作回顾
过去一年，全省地区生产总值6.3万亿元、增长5.6%，城镇新增就业92万人。
“十四五”时期，全省地区生产总值年均增长5.3%。
二、“十五五”时期的主要目标
“十五五”时期经济社会发展的
主要目标
是：地区生产总值年均增长5.5%左右，居民收入增长和经济增长同步。
三、2026年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长5%—5.5%，城镇新增就业80万人以上，粮食产量550亿斤以上。
新能源汽车产量力争达到150万辆以上。
全力推进光谷科创、汉江生态、长江航运等3个重点板块建设，充分发挥武汉、宜昌、襄阳三个中心城市引领作用。
"""

TOWN = """Title: 2026年石湾镇政府工作报告
Date: 2026-01-12

石湾镇2026年政府工作报告
镇党委书记王建国主持会议，湖北省有关部门负责同志到会指导。
一、2025年工作回顾
2025年，全镇地区生产总值完成312.5亿元，同比增长6.1%。
二、2026年工作安排
2026年全镇地区生产总值预期增长7%左右。
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"hubei_2026.txt": PROVINCE, "shiwan_2026.txt": TOWN})


def _value(session: Session, question: str, **opts: object) -> str:
    answer = session.ask(question, engine="extractive", **opts)  # type: ignore[arg-type]
    assert answer.status == "answered", (question, answer.answer)
    assert answer.citations
    return answer.answer


@pytest.mark.parametrize(
    ("question", "wanted", "not_wanted"),
    [
        ("湖北2026年GDP增长目标?", "5%—5.5%", "5.5%左右"),  # the annual target, not the 十五五 average
        ("湖北今年地区生产总值增长目标", "5%—5.5%", "5.5%左右"),
        ("湖北十五五时期GDP年均增长目标是多少", "5.5%左右", "5%—5.5%"),
        ("湖北去年地区生产总值增长多少", "5.6%", "5.3%"),  # the 2025 result, not the 十四五 average
        ("湖北2026年城镇新增就业目标", "80万人以上", "92万人"),
        ("石湾2025年GDP多少", "312.5亿元", "6.3万亿元"),
    ],
)
def test_the_asked_time_frame_wins(session: Session, question: str, wanted: str, not_wanted: str) -> None:
    got = _value(session, question)
    assert contains(got, wanted), got
    assert not contains(got, not_wanted), got


@pytest.mark.parametrize(
    ("question", "items"),
    [
        ("湖北三大重点板块是哪些", "光谷科创、汉江生态、长江航运"),  # counted its own way: 等3个重点板块
        ("湖北说的三个中心城市是哪几个", "武汉、宜昌、襄阳"),  # the list before the count that names it
    ],
)
def test_a_list_answer_is_its_items_only(session: Session, question: str, items: str) -> None:
    assert _value(session, question) == items


def test_an_indicator_the_lexicon_lacks_is_found_by_the_questions_words(session: Session) -> None:
    assert contains(_value(session, "湖北2026年新能源汽车产量目标是多少"), "150万辆以上")


def test_number_answers_are_short(session: Session) -> None:
    assert len(_value(session, "湖北2026年GDP增长目标?")) <= 30


@pytest.mark.parametrize("question", ["湖北2027年GDP增长目标", "石湾十五五GDP年均增长目标"])
def test_a_time_frame_no_document_states_is_not_found(session: Session, question: str) -> None:
    assert session.ask(question, engine="extractive").status == "not_found"


def test_a_province_is_a_place_and_a_town_question_never_reads_its_report(session: Session) -> None:
    docs = {m.place: m for m in session.corpus.documents()}
    assert docs["湖北省"].level == "省" and docs["石湾镇"].level == "镇"
    town = session.ask("石湾2026年GDP增长目标", engine="extractive")
    assert town.status == "answered" and contains(town.answer, "7%左右")
    assert all(c.doc_id == docs["石湾镇"].doc_id for c in town.citations)


def test_an_official_of_another_level_or_place_is_no_answer(session: Session) -> None:
    assert contains(_value(session, "石湾镇党委书记是谁"), "王建国")
    assert session.ask("湖北省委书记是谁", engine="extractive").status == "not_found"  # a town's 书记 is not the province's
    assert contains(_value(session, "湖北省长是谁"), "李晓明")


def test_a_sub_unit_the_index_lacks_is_not_found(session: Session) -> None:
    assert session.ask("湖北武汉市2025年GDP是多少", engine="extractive").status == "not_found"


@pytest.mark.parametrize(
    ("question", "verdict", "fact"),
    [
        ("湖北去年GDP增速有没有达到6%?", "没有", "5.6%"),  # in the question's words: 有没有 → 有/没有
        ("湖北去年GDP增速有没有达到5%?", "有", "5.6%"),
        ("湖北去年GDP增速是不是超过6%?", "不是", "5.6%"),
    ],
)
def test_yes_no_questions_get_a_verdict_and_the_fact(session: Session, question: str, verdict: str, fact: str) -> None:
    got = _value(session, question)
    assert got.startswith(verdict) and fact in got and len(got) <= 100


def test_explain_lists_the_weighed_candidates_with_their_features(session: Session) -> None:
    answer = session.ask("湖北2026年GDP增长目标?", engine="extractive", explain=True)
    assert answer.explanation
    best = answer.explanation[0]
    assert contains(best.value, "5%—5.5%") and not best.vetoed
    assert {"time", "role", "words", "rank"} <= set(best.features)
    plan = [c for c in answer.explanation if contains(c.value, "5.5%左右")]
    assert plan and all(c.vetoed == "time" for c in plan)  # the 十五五 average is vetoed by its time frame


def test_scoring_weights_are_a_data_file_users_can_edit(session: Session, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(PACKAGE_DIR / "data" / "scoring.toml", data / "scoring.toml")
    text = (data / "scoring.toml").read_text(encoding="utf-8").replace("min_score = 2.0", "min_score = 1000.0")
    (data / "scoring.toml").write_text(text, encoding="utf-8")
    strict = Session(session.settings.model_copy(update={"data_dir": data}), sync=False)
    assert session.ask("湖北2026年GDP增长目标?", engine="extractive").status == "answered"
    assert strict.ask("湖北2026年GDP增长目标?", engine="extractive").status == "not_found"


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("湖北今年gdp增长目标", "5%—5.5%"),  # a Latin abbreviation in lower case
        ("湖北二〇二六年GDP增长目标", "5%—5.5%"),  # a year in Chinese numerals
        ("湖北去年经济咋样", "5.6%"),  # a colloquial overview question
        ("What is Hubei's GDP growth target for 2026?", "5%—5.5%"),  # English, answered from the Chinese text
    ],
)
def test_ordinary_wording_gets_the_same_verified_answer(session: Session, question: str, wanted: str) -> None:
    assert contains(_value(session, question), wanted)


def test_a_mistyped_place_is_read_as_the_indexed_one_and_the_answer_says_so(session: Session) -> None:
    answer = session.ask("石弯2025年GDP多少", engine="extractive")
    assert answer.status == "answered" and contains(answer.answer, "312.5亿元")
    assert any("石湾" in note for note in answer.notes)


def test_the_cli_prints_the_assumed_place_and_the_weighed_candidates(session: Session) -> None:
    env = cli_env(session.settings.home, RAGTOOL_CORPUS=str(session.settings.corpus))
    r = cli("ask", "石弯2025年GDP多少", "--explain", env=env)
    assert r.code == 0, r.stderr
    assert "312.5亿元" in r.stdout and "note:" in r.stdout and "石湾" in r.stdout
    assert "candidates (score, veto, features)" in r.stdout and "time=" in r.stdout
    data = json.loads(cli("ask", "湖北2026年GDP增长目标?", "--explain", "--json", env=env).stdout)
    assert data["explanation"] and {"time", "role"} <= set(data["explanation"][0]["features"])
