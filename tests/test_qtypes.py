"""Question types come from one registry (ragtool.qtypes) with their cue words from question.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ragtool import qtypes
from ragtool.config import PACKAGE_DIR, Settings
from ragtool.query import PlaceIndex, Vocabulary, parse_query
from ragtool.zh.places import load_place_rules


def _parse(settings: Settings, question: str) -> str:
    vocab = Vocabulary.load(settings)
    return parse_query(question, vocab, PlaceIndex({}, load_place_rules(settings))).qtype


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("凤岗2025年GDP是不是增长5%", "yesno"),  # yesno before number
        ("大会哪天开幕", "date"),
        ("政府工作报告是谁作的", "name"),
        ("主要预期目标有哪些", "list"),
        ("“三个稳”是哪三个", "list"),
        ("全镇有几个重点项目", "number"),  # 几个 without 哪 counts, it lists nothing
        ("大会在什么地方开幕", "venue"),
        ("人代会什么时候在哪开的", "date"),  # date before venue: the answer runs on to the venue
        ("要在哪些方面走在前列", "list"),  # 在哪些 asks no venue
        ("总路径是什么", "what"),
        ("作报告时刘靖是什么职务", "post"),
        ("朱汉洪是哪个部门的局长?", "post"),  # the department asked is part of the post
        ("去年粮食产量多少", "number"),
        ("凤岗镇概况", "other"),
        # yes/no in the shapes users write them: a cue inside, or one that counts only at the end
        ("南京的政府工作报告是代市长作的吗?", "yesno"),
        ("武进2025年地区生产总值突破3500亿了吗", "yesno"),
        ("沧州固定资产投资增长超过10%没有?", "yesno"),
        ("蓬江區生產總值突破千億了嗎?", "yesno"),
        ("周红波是南京市委书记吗", "yesno"),
        ("开幕会能否在下午召开", "yesno"),
        ("哪些指标没有完成", "list"),  # 没有 inside a question asks nothing
        ("铜陵郊区人代会有哪些领导出席", "name"),  # who attended
        ("武进区人代会几点开幕的", "date"),  # a time of day
        ("会议提出了几点要求", "number"),  # 几点 counts points here
        ("你知道南京市长是谁吗", "name"),  # a question word: the 吗 is polite
    ],
)
def test_precedence_of_question_types(tmp_path: Path, question: str, qtype: str) -> None:
    assert _parse(Settings(home=tmp_path), question) == qtype


def test_a_post_is_searched_by_the_person_named(tmp_path: Path) -> None:
    """任蔚现任什么职务: the lexical query holds the name, not the asking words (现任, 职务) other pages hold."""
    settings = Settings(home=tmp_path)
    pq = parse_query("任蔚现任什么职务?", Vocabulary.load(settings), PlaceIndex({}, load_place_rules(settings)))
    assert "任蔚" in pq.expanded and "职务" not in pq.expanded


def test_a_final_cue_counts_only_at_the_end(tmp_path: Path) -> None:
    types = Vocabulary.load(Settings(home=tmp_path)).qtypes
    yesno = next(t for t in types if t.name == "yesno")
    assert yesno.matches("眉山GDP突破2000亿了吗？") and yesno.matches("超过10%没有")
    assert not yesno.matches("没有完成的指标有哪些")


def test_a_cue_word_added_in_the_data_dir_changes_the_type(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    text = (PACKAGE_DIR / "data" / "question.toml").read_text(encoding="utf-8")
    (data / "question.toml").write_text(text.replace('date = ["哪天"', 'date = ["开幕时间", "哪天"'), encoding="utf-8")
    shutil.copy(PACKAGE_DIR / "data" / "lexicon.toml", data / "lexicon.toml")
    assert _parse(Settings(home=tmp_path), "大会开幕时间") == "other"
    assert _parse(Settings(home=tmp_path, data_dir=data), "大会开幕时间") == "date"


def test_what_each_type_implies_is_read_from_the_registry() -> None:
    assert {"number", "yesno"} == qtypes.TIMED  # their year, plan and target must fit
    assert {"list", "what", "other"} == qtypes.FRAMED  # parallel sentences may answer them
    assert {"number", "name", "date", "yesno"} == qtypes.SHORT_KINDS  # eval: at most MAX_SHORT_ANSWER characters
    assert {"name", "date", "post"} == qtypes.NEWEST  # without a year, the newest document's holder of a post
    assert qtypes.get("nonsense") is qtypes.FALLBACK
