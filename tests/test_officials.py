"""The officials finder: report bylines, titles at every level, the place before a title, questions by level.

All texts are written for these tests (invented places and people), in the layouts real reports use.
"""

from __future__ import annotations

import pytest

from ragtool.config import Settings
from ragtool.summarize.view import make_view
from ragtool.zh.officials import Mention, OfficialFinder, normalize_name


@pytest.fixture(scope="module")
def finder() -> OfficialFinder:
    return OfficialFinder.load(Settings())


def found(finder: OfficialFinder, raw: str) -> list[tuple[str, str, str]]:
    """(role, name as written, place) of every mention, on the view a caller would search."""
    text = make_view(raw).text
    return [(text[slice(*m.role)], text[slice(*m.name)], m.place) for m in finder.find(text)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the usual byline: the report's title, the meeting, then place + title + name on its own line
        ("政府工作报告\n——2026年1月20日在江南省第九届\n人民代表大会第三次会议上\n江南省省长 林海涛\n各位代表：",
         ("省长", "林海涛", "江南省")),
        ("2026年临江市政府工作报告\n临江市市长 周建国\n周建国同志作政府工作报告。", ("市长", "周建国", "临江市")),
        ("北川省人民政府省长 何志远\n各位代表：", ("省长", "何志远", "北川省")),  # 人民政府 between place and title
        ("东海市市长 韩 平\n各位代表：", ("市长", "韩 平", "东海市")),  # an ASCII space inside a two-character name
        ("云岭省省长\u3000杨光明\n", ("省长", "杨光明", "云岭省")),  # an ideographic space after the title
        ("天山维吾尔自治区主席 艾山·买买提\n各位代表：", ("自治区主席", "艾山·买买提", "天山维吾尔自治区")),
        ("青川回族自治区主席 马文斌\n", ("自治区主席", "马文斌", "青川回族自治区")),
        ("本报讯 省长郑国强作政府工作报告，回顾了过去一年的工作。", ("省长", "郑国强", "")),  # a news lead
        ("2026年1月20日在江南省第九届人民代表大会第三次会议上 江南省省长 林海涛\n首页", ("省长", "林海涛", "江南省")),
    ],
)
def test_report_bylines(finder: OfficialFinder, raw: str, expected: tuple[str, str, str]) -> None:
    assert found(finder, raw)[0] == expected


@pytest.mark.parametrize("dot", ["·", "•", "・"])
def test_transliterated_names_with_any_middle_dot_are_one_name(finder: OfficialFinder, dot: str) -> None:
    text = make_view(f"自治区主席艾山{dot}买买提作政府工作报告").text
    (m,) = finder.find(text)
    assert text[slice(*m.name)] == f"艾山{dot}买买提"  # as written
    assert m.norm_name == "艾山·买买提"  # one form for matching


def test_spaced_name_is_kept_as_written_and_normalised_for_matching(finder: OfficialFinder) -> None:
    text = make_view("东海市市长 韩 平\n").text
    (m,) = finder.find(text)
    assert text[slice(*m.name)] == "韩 平" and m.norm_name == "韩平"
    assert normalize_name("韓　平") == "韩平"  # traditional script and an ideographic space
    assert found(finder, "本报记者 韩 平摄") == []  # a photographer's credit is no official


@pytest.mark.parametrize(
    ("raw", "role", "name", "place"),
    [
        ("江南省省长林海涛出席会议。", "省长", "林海涛", "江南省"),
        ("江南省副省长陈文华作说明。", "副省长", "陈文华", "江南省"),
        ("天山维吾尔自治区主席艾山·买买提讲话。", "自治区主席", "艾山·买买提", "天山维吾尔自治区"),
        ("临江市市长周建国主持会议。", "市长", "周建国", "临江市"),
        ("南州市市长温志明出席。", "市长", "温志明", "南州市"),  # a place ending in 州
        ("临江市金沙区区长罗明辉参加。", "区长", "罗明辉", "金沙区"),  # a chain of places: the smallest unit
        ("青石县县长唐志刚表示。", "县长", "唐志刚", "青石县"),
        ("凤溪镇镇长梁永胜汇报。", "镇长", "梁永胜", "凤溪镇"),
        ("南门街道办事处主任许丽萍介绍。", "街道办事处主任", "许丽萍", "南门街道"),
        ("中共江南省委书记郭振华强调。", "省委书记", "郭振华", "江南省"),
        ("天山维吾尔自治区党委书记马兴国出席。", "自治区党委书记", "马兴国", "天山维吾尔自治区"),
        ("临江市委书记宋立新指出。", "市委书记", "宋立新", "临江市"),
        ("金沙区委书记邓海波强调。", "区委书记", "邓海波", "金沙区"),
        ("青石县委书记黎国平出席。", "县委书记", "黎国平", "青石县"),
        ("凤溪镇党委书记张耀文代表镇党委作报告。", "镇党委书记", "张耀文", "凤溪镇"),
        ("南门街道党工委书记孙晓东主持。", "街道党工委书记", "孙晓东", "南门街道"),
    ],
)
def test_titles_and_places_at_every_level(finder: OfficialFinder, raw: str, role: str, name: str, place: str) -> None:
    assert (role, name, place) in found(finder, raw), found(finder, raw)


def test_a_title_without_a_place_has_none(finder: OfficialFinder) -> None:
    mentions = found(finder, "会议由市委书记宋立新主持，区委书记邓海波、镇党委书记张耀文出席。")
    assert mentions == [("市委书记", "宋立新", ""), ("区委书记", "邓海波", ""), ("镇党委书记", "张耀文", "")]


def test_words_that_only_look_like_titles(finder: OfficialFinder) -> None:
    assert found(finder, "我省长江经济带建设加快，全市长效机制不断完善。") == []
    assert found(finder, "习近平总书记都亲自为我们擘画蓝图。") == []  # 都 is an adverb here, not a family name


def test_each_person_once_in_order(finder: OfficialFinder) -> None:
    text = make_view("东海市市长 韩 平\n……市长韩平指出，副市长刘志强参加。").text
    mentions: list[Mention] = finder.find(text)
    assert [m.norm_name for m in mentions] == ["韩平", "刘志强"]


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("江南省长是谁", "省长"),
        ("江南省省长叫什么", "省长"),
        ("江南省委书记是谁", "省委书记"),
        ("天山自治区主席是谁", "自治区主席"),
        ("临江市委书记是谁", "市委书记"),
        ("金沙区委书记是谁", "区委书记"),
        ("凤溪镇书记是谁", "镇书记"),
        ("凤溪镇党委书记是谁", "镇党委书记"),
        ("金沙区区长是谁", "区长"),
        ("新疆主席是谁", "主席"),
        ("黔州省长是谁", "省长"),  # the 州 ending a place's name is no level
        ("南州市长是谁", "市长"),
        ("金沙区人大常委会主任是谁", "区人大常委会主任"),
        ("臨江市長是誰", "市长"),  # traditional script
    ],
)
def test_asked_role_keeps_the_level(finder: OfficialFinder, question: str, role: str) -> None:
    assert finder.asked_role(question) == role


@pytest.mark.parametrize(
    ("asked", "title", "place", "ok"),
    [
        ("市委书记", "市委书记", "", True),
        ("市委书记", "区委书记", "金沙区", False),  # a district's secretary does not answer a city question
        ("区委书记", "市委书记", "", False),
        ("省委书记", "镇党委书记", "", False),
        ("省委书记", "党委书记", "凤溪镇", False),  # the place gives the bare title its level
        ("省委书记", "党委书记", "", False),  # a province's secretary is never written as bare 党委书记
        ("镇党委书记", "党委书记", "", True),  # a town report writes 党委书记 alone
        ("书记", "镇党委书记", "凤溪镇", True),
        ("镇书记", "党委书记", "凤溪镇", True),
        ("镇书记", "区委书记", "金沙区", False),
        ("书记", "党委副书记", "", False),
        ("省长", "省长", "江南省", True),
        ("省长", "副省长", "江南省", False),
        ("市长", "省长", "", False),
        ("镇长", "代镇长", "", True),
        ("自治区主席", "自治区主席", "天山维吾尔自治区", True),
        ("主席", "自治区主席", "", True),
        ("省长", "自治区主席", "", False),
        ("人大常委会主任", "常务委员会主任", "", True),
        ("区人大常委会主任", "常务委员会主任", "", True),  # a level that is only a prefix may be left unwritten
        ("区人大常委会主任", "常务委员会主任", "青石县", False),
    ],
)
def test_matches_by_level_and_office(finder: OfficialFinder, asked: str, title: str, place: str, ok: bool) -> None:
    assert finder.matches(asked, title, place) is ok


def test_levels_of_mentions(finder: OfficialFinder) -> None:
    text = make_view("凤溪镇党委书记张耀文、江南省委书记郭振华、天山维吾尔自治区主席艾山·买买提").text
    levels = {m.norm_name: finder.mention_level(text, m) for m in finder.find(text)}
    assert levels == {"张耀文": "镇", "郭振华": "省", "艾山·买买提": "省"}
