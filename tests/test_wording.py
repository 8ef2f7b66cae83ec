"""Rewriting a user's wording into the documents' wording (ragtool.wording), before a question is parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.wording import Wording

REPO = Path(__file__).resolve().parent.parent
PLACES = ["凤岗镇", "厚街镇", "广东省", "北京市", "东莞市", "金湾区", "广西壮族自治区", "新疆维吾尔自治区",
          "宁夏回族自治区", "内蒙古自治区", "西藏自治区", "陕西省"]


@pytest.fixture
def wording(settings: Settings) -> Wording:
    return Wording.load(settings)


def test_latin_abbreviations_in_any_case_become_the_documents_spelling(wording: Wording) -> None:
    r = wording.rewrite("凤岗gdp、Cpi和r&d经费，pm2.5浓度", PLACES)
    assert (r.text, r.notes, r.language) == ("凤岗GDP、CPI和R&D经费，PM2.5浓度", [], "zh")
    assert wording.rewrite("gdpx和agdp", PLACES).text == "gdpx和agdp"  # only whole Latin tokens


@pytest.mark.parametrize("question, expected", [
    ("二〇二五年GDP目标", "2025年GDP目标"),
    ("二零二六年GDP目标", "2026年GDP目标"),
    ("二○二五年GDP目标", "2025年GDP目标"),
    ("三十年来", "三十年来"),  # not a year
    ("一二三四年", "一二三四年"),  # outside the year range
])
def test_chinese_numeral_years(wording: Wording, question: str, expected: str) -> None:
    assert wording.rewrite(question, PLACES).text == expected


def test_one_wrong_character_in_a_place_name_is_corrected_with_a_note(wording: Wording) -> None:
    r = wording.rewrite("凤刚镇长是谁", ["凤岗镇", "厚街镇"])
    assert r.text == "凤岗镇长是谁"
    assert len(r.notes) == 1 and "凤刚" in r.notes[0] and "凤岗" in r.notes[0]
    both = wording.rewrite("东莞厚接去年经济咋样", ["凤岗镇", "厚街镇"])  # right before a year word
    assert both.text == "东莞厚街去年地区生产总值增长多少" and len(both.notes) == 2


@pytest.mark.parametrize("question, places, known", [
    ("凤刚镇长是谁", ["凤岗镇", "凤港镇"], None),  # two places tie
    ("凤刚镇长是谁", ["凤岗镇", "厚街镇"], {"凤刚"}),  # the window is text of the corpus
    ("凤凰山在哪", ["凤岗镇", "厚街镇"], None),  # no clear match
    ("我想去凤刚看看", ["凤岗镇"], None),  # not at the start nor before a suffix, title or year
    ("凤山镇长是谁", ["凤岗镇"], None),  # shan does not sound like gang
    ("山西省长是谁", ["陕西省"], None),  # a real place is not a typo
])
def test_no_place_correction_without_a_clear_match(
    wording: Wording, question: str, places: list[str], known: set[str] | None
) -> None:
    r = wording.rewrite(question, places, known=None if known is None else known.__contains__)
    assert (r.text, r.notes) == (question, [])


@pytest.mark.parametrize("question, expected", [
    ("凤岗去年经济咋样", "凤岗去年地区生产总值增长多少"),
    ("广东今年经济怎么样", "广东今年地区生产总值增长目标是多少"),
    ("凤岗经济去年发展情况怎么样呢？", "凤岗去年地区生产总值增长多少"),
    ("东莞明年就业咋样", "东莞明年城镇新增就业目标是多少"),
    ("厚街去年外贸如何", "厚街去年进出口总额增长多少"),
])
def test_colloquial_overview_questions_become_indicator_questions(wording: Wording, question: str, expected: str) -> None:
    r = wording.rewrite(question, PLACES)
    assert r.text == expected and len(r.notes) == 1


def test_cue_words_elsewhere_are_left_alone(wording: Wording) -> None:
    for q in ("如何推动经济高质量发展", "经济怎么样才能发展好", "凤岗2025年GDP目标是多少"):
        assert wording.rewrite(q, PLACES).text == q


@pytest.mark.parametrize("question, expected", [
    ("What is Fenggang's GDP growth target for 2025?", "凤岗2025年GDP增长目标是多少"),
    ("Who is the mayor of Fenggang?", "凤岗镇长是谁"),
    ("Who is the party secretary of Feng Gang?", "凤岗镇党委书记是谁"),
    ("Who is the governor of Guangdong?", "广东省长是谁"),
    ("How much did guang dong's retail sales grow in 2024?", "广东2024年社会消费品零售总额增长是多少"),
    ("What was Guangxi's GDP growth last year?", "广西去年GDP增长是多少"),
    ("Who is the governor of Guangxi?", "广西壮族自治区主席是谁"),
    ("Xinjiang urbanization rate 2025", "新疆2025年城镇化率是多少"),
    ("What is Ningxia's grain output target this year?", "宁夏今年粮食产量目标是多少"),
    ("Who is the mayor of Dongguan?", "东莞市长是谁"),
    ("What is the fixed-asset investment target of Jinwan District next year?", "金湾明年固定资产投资目标是多少"),
    ("Who is the party secretary of Inner Mongolia?", "内蒙古自治区党委书记是谁"),
    ("Dongguan GDP", "东莞GDP是多少"),
])
def test_english_questions_become_chinese_questions(wording: Wording, question: str, expected: str) -> None:
    r = wording.rewrite(question, iter(PLACES))
    assert (r.text, r.language) == (expected, "en")
    assert r.notes


def test_an_unreadable_english_question_is_kept_with_a_note(wording: Wording) -> None:
    r = wording.rewrite("What is the weather like in Beijing?", PLACES)
    assert (r.text, r.language) == ("What is the weather like in Beijing?", "en")
    assert len(r.notes) == 1 and "could not read" in r.notes[0]


def test_an_unindexed_place_in_english_is_read_from_the_gazetteer(wording: Wording) -> None:
    """Shenzhen has no document: it is still the question's place (so the answer is not_found, never another
    place's figure)."""
    r = wording.rewrite("What is the GDP of Shenzhen?", PLACES)
    assert r.text == "深圳GDP是多少" and any("Shenzhen → 深圳市" in n for n in r.notes)


def test_one_pinyin_naming_two_places_says_which_was_assumed(wording: Wording) -> None:
    r = wording.rewrite("What is Taizhou's GDP growth target for 2026?", PLACES)
    note = next(n for n in r.notes if n.startswith("Taizhou"))
    assert "台州市" in note and "泰州市" in note and "assumed" in note
    assert r.text.startswith(("台州", "泰州"))


@pytest.mark.parametrize("question, expected", [
    ("Who delivered Dongguan's government work report?", "东莞政府工作报告是谁作的"),
    ("Who presided over the opening of the Beijing people's congress?", "北京人代会是谁主持的"),
    ("Where did Dongguan's people's congress open?", "东莞人代会在哪里开幕"),
    ("On what day did the Shaanxi congress open?", "陕西人代会哪天开幕"),
    ("When was the Fenggang party congress held?", "凤岗党代会什么时候召开"),
    ("How many deputies attended the Dongguan congress?", "东莞实到代表是多少"),
    ("How many deputies should attend the Beijing people's congress?", "北京应到代表是多少"),
    ("Who announced the opening of the Dongguan congress?", "东莞人代会是谁宣布开幕的"),
    ("Who chaired the Beijing meeting?", "北京会议是谁主持的"),
])
def test_english_questions_about_a_report_or_meeting_keep_their_question_word(
    wording: Wording, question: str, expected: str
) -> None:
    assert wording.rewrite(question, PLACES).text == expected


def test_the_level_word_after_a_pinyin_picks_one_of_two_places(wording: Wording) -> None:
    places = ["吉安县", "吉安市", "凤岗镇"]
    county = wording.rewrite("Who presented the government work report at the Ji'an County congress?", places)
    assert county.text == "吉安县政府工作报告是谁作的" and "Ji an → 吉安县" in county.notes
    assert wording.rewrite("Ji'an City GDP growth target", places).text == "吉安市GDP增长目标是多少"
    unsure = wording.rewrite("Jian GDP growth target", places)  # never unscoped: one is assumed, and said
    assert unsure.text.startswith(("吉安县", "吉安市"))
    assert any("could be 吉安县 or 吉安市: assumed" in n for n in unsure.notes)


def test_everything_else_passes_through_and_rewriting_is_idempotent(wording: Wording) -> None:
    assert wording.rewrite("凤岗2025年GDP目标是多少", PLACES) == wording.rewrite("凤岗2025年GDP目标是多少", [])
    questions = ["凤岗2025年GDP目标是多少", "gdp和cpi", "二〇二五年目标", "凤刚镇长是谁", "广东今年经济怎么样",
                 "What is Fenggang's GDP growth target for 2025?", "Who is the governor of Guangxi?",
                 "Who is the mayor?", "What is the weather like in Beijing?"]
    for q in questions:
        once = wording.rewrite(q, PLACES).text
        assert wording.rewrite(once, PLACES).text == once, q
    plain = wording.rewrite("小榄镇书记是谁", PLACES)
    assert (plain.text, plain.notes, plain.language) == ("小榄镇书记是谁", [], "zh")


def test_a_user_edited_wording_file_changes_the_rewrite(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    bundled = (REPO / "ragtool" / "data" / "wording.toml").read_text(encoding="utf-8")
    assert 'gdp = "GDP"\n' in bundled and "same_sound = true" in bundled
    edited = bundled.replace('gdp = "GDP"\n', 'gdp = "GDP"\nesg = "ESG"\n').replace("same_sound = true", "same_sound = false")
    (data / "wording.toml").write_text(edited, encoding="utf-8")
    custom = Wording.load(Settings(home=tmp_path / "home", data_dir=data))
    bundled_wording = Wording.load(Settings(home=tmp_path / "h2"))
    assert custom.rewrite("凤岗esg报告", PLACES).text == "凤岗ESG报告"
    assert bundled_wording.rewrite("凤岗esg报告", PLACES).text == "凤岗esg报告"
    assert custom.rewrite("凤山镇长是谁", ["凤岗镇"]).text == "凤岗镇长是谁"  # typos no longer need to sound alike
    assert bundled_wording.rewrite("凤山镇长是谁", ["凤岗镇"]).text == "凤山镇长是谁"
