"""Place-scoped answers: a question naming a place is answered from documents about that place only, never from its
parent's, a sibling's or a child's; a place with no document of its own is not_found, with the nearest places named."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora import session_over

from ragtool.api import Session

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

PROVINCE = """Title: 2026年四川省政府工作报告
Date: 2026-01-25

政府工作报告
四川省省长 施小琳
过去一年，全省地区生产总值增长5.5%，规模以上工业增加值增长6.2%。
今年全省经济社会发展的主要预期目标是：地区生产总值增长5.5%左右。
"""

CITY = """Title: 2025年绵阳市经济运行情况
Date: 2026-01-28

绵阳市统计局发布2025年全市经济运行情况。
初步核算，2025年全市地区生产总值4600.66亿元，按不变价格计算，比上年增长6.5%。
规模以上工业增加值增长8.1%。
"""


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Session:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    return session_over(tmp_path_factory, files)


@pytest.fixture(scope="module")
def sichuan(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"sichuan.txt": PROVINCE, "mianyang.txt": CITY})


def test_a_city_without_a_document_is_not_found_and_the_nearest_are_named(seeds: Session) -> None:
    answer = seeds.ask("深圳2025年GDP目标", engine="extractive")
    assert answer.status == "not_found"
    note = " ".join(answer.notes)
    assert "深圳市" in note and "凤岗镇 (东莞市)" in note


def test_a_citys_question_is_not_answered_from_its_towns_report(seeds: Session) -> None:
    answer = seeds.ask("东莞2025年GDP目标", engine="extractive")
    assert answer.status == "not_found"
    assert "5.5%" not in answer.answer


def test_a_towns_question_is_still_answered_from_its_own_report(seeds: Session) -> None:
    answer = seeds.ask("凤岗2025年GDP目标", engine="extractive")
    assert answer.status in ("answered", "conflicting")
    assert "5.5%" in answer.answer


def test_documents_carry_their_place_and_parents(sichuan: Session) -> None:
    by_title = {d.title: d for d in sichuan.corpus.documents()}
    city = by_title["2025年绵阳市经济运行情况"]
    assert (city.place, city.place_chain, city.level) == ("绵阳市", ["四川省"], "市")
    assert by_title["2026年四川省政府工作报告"].place == "四川省"


def test_a_city_question_beside_its_province_is_answered_from_the_city(sichuan: Session) -> None:
    answer = sichuan.ask("绵阳2025年GDP增长多少", engine="extractive")
    assert answer.status == "answered", answer.notes
    assert "6.5%" in answer.answer
    assert {c.title for c in answer.citations} == {"2025年绵阳市经济运行情况"}


def test_a_province_question_is_never_answered_from_a_citys_report(sichuan: Session) -> None:
    answer = sichuan.ask("四川2025年规模以上工业增加值增长多少", engine="extractive")
    assert answer.status == "answered", answer.notes
    assert "6.2%" in answer.answer and "8.1%" not in answer.answer
    assert {c.title for c in answer.citations} == {"2026年四川省政府工作报告"}


def test_a_sibling_city_is_not_answered_from_its_neighbour_or_its_province(sichuan: Session) -> None:
    answer = sichuan.ask("德阳2025年GDP增长多少", engine="extractive")
    assert answer.status == "not_found"
    assert "德阳市" in " ".join(answer.notes) and "绵阳市" in " ".join(answer.notes)


def test_traditional_script_question_resolves_the_same_place(sichuan: Session) -> None:
    answer = sichuan.ask("綿陽2025年規模以上工業增加值增長多少", engine="extractive")
    assert answer.status == "answered", answer.notes
    assert "8.1%" in answer.answer


METRO = """Title: 成德眉资四市公布2025年经济数据(成都都市圈)
Date: 2026-01-27

记者1月26日获悉,成都、德阳、眉山、资阳四市相继公布2025年经济数据。
从四市经济总量分布来看,成都以24763.6亿元的地区生产总值领跑都市圈;眉山经济增速亮眼,全年地区生产总值达2008.72亿元;德阳与资阳稳步前行。
"""

HUARONG = """Title: 华容区第九届人民代表大会第四次会议开幕(湖北省鄂州市华容区)
Date: 2024-12-27

12月26日上午,华容区第九届人民代表大会第四次会议开幕。
2024年全区地区生产总值增长6.1%。
"""


@pytest.fixture(scope="module")
def metro(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"metro.txt": METRO, "huarong.txt": HUARONG})


def test_a_document_on_several_cities_answers_each_from_its_own_part(metro: Session) -> None:
    assert "2008.72亿元" in metro.ask("眉山2025年GDP多少", engine="extractive").answer
    deyang = metro.ask("德阳2025年GDP多少", engine="extractive")
    assert "2008.72" not in deyang.answer and "24763.6" not in deyang.answer


def test_a_shared_name_is_resolved_by_the_corpus_and_the_assumption_is_said(metro: Session) -> None:
    answer = metro.ask("华容2024年GDP增长多少", engine="extractive")
    assert "6.1%" in answer.answer
    assert any("华容区 (鄂州市)" in n and "华容县 (岳阳市)" in n for n in answer.notes)


def test_a_shared_name_decided_by_its_parent_is_another_place(metro: Session) -> None:
    answer = metro.ask("湖南岳阳华容县2024年GDP增长多少", engine="extractive")
    assert answer.status == "not_found"
    assert any("华容县 (岳阳市)" in n for n in answer.notes)


CITY_2025 = """Title: 2025年汕尾市政府工作报告
Date: 2025-01-20

政府工作报告
——2025年1月15日在汕尾市第八届人民代表大会第五次会议上
汕尾市人民政府市长
各位代表：
现在，我代表市人民政府向大会报告工作，请予审议，并请各位政协委员和其他列席会议的同志提出意见。
一、2024年工作回顾
全年地区生产总值增长5.2%，固定资产投资增长6.1%，社会消费品零售总额增长4.3%。
二、2025年主要预期目标
地区生产总值增长5.5%左右，固定资产投资增长6%左右。
"""

CITY_2026 = """Title: 汕尾市第八届人民代表大会第六次会议开幕
Date: 2026-01-18

1月17日上午，第八届人民代表大会第六次会议开幕。应出席318名，实际到会296名，符合法定人数。
报告指出，2025年全市地区生产总值增长4.8%，固定资产投资增长3.5%。
"""


@pytest.fixture(scope="module")
def shanwei(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return session_over(tmp_path_factory, {"shanwei_2025.txt": CITY_2025, "shanwei_2026.txt": CITY_2026})


@pytest.mark.parametrize(("question", "first", "value"), [
    ("汕尾2026年人代会应出席代表多少名", "shanwei_2026.txt", "318名"),  # the year's meeting: that year's document
    ("汕尾2024年固定资产投资增长多少", "shanwei_2025.txt", "6.1%"),  # a year's results: the next year's report
])
def test_of_a_places_documents_the_one_the_asked_year_fits_is_retrieved_first(
    shanwei: Session, question: str, first: str, value: str,
) -> None:
    answer, hits = shanwei.ask_with_context(question, engine="extractive")
    fits = [h.meta.source.endswith(first) for h in hits]
    assert fits[0] and fits == sorted(fits, reverse=True)  # every chunk of the fitting document before the other's
    assert value in answer.answer
