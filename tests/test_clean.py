"""Cleaning the seeds and devcorpus: boilerplate, repeats, pinyin, punctuation, idempotence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import load_file

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DOCS = REPO / "evals" / "devcorpus" / "docs"
ALL_DOCS = sorted(SEEDS.glob("*.txt")) + sorted(DOCS.glob("*.txt"))


@pytest.fixture
def cleaner(settings: Settings) -> Cleaner:
    return Cleaner.from_settings(settings)


def _clean(cleaner: Cleaner, path: Path) -> str:
    return cleaner.clean(load_file(path).text)


def _seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.mark.parametrize("path", [_seed("004"), DOCS / "013_zhangping.txt"], ids=lambda p: p.name[:3])
def test_pinyin_annotations_are_removed(cleaner: Cleaner, path: Path) -> None:
    raw = load_file(path).text
    assert re.search(r"\((zhèn|xiàn|qū)\)", raw)
    text = _clean(cleaner, path)
    assert not re.search(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", text)
    assert not re.search(r"\([a-z]+\)", text)


def test_pinyin_removal_keeps_words_whole(cleaner: Cleaner) -> None:
    text = _clean(cleaner, _seed("004"))
    assert "小欖鎮召開黨委(擴大)會議" in text
    assert "村(社區)書記" in text


def test_real_parentheses_survive(cleaner: Cleaner) -> None:
    assert "(按可比口径)" in _clean(cleaner, _seed("002"))
    assert "(不含海关代征)" in _clean(cleaner, DOCS / "004_panyu.txt")
    assert cleaner.clean("村(社区)和(2024年数据)以及(按可比口径)") == "村(社区)和(2024年数据)以及(按可比口径)"


def test_repeated_body_is_removed(cleaner: Cleaner) -> None:
    path = _seed("003")
    raw = load_file(path).text
    text = _clean(cleaner, path)
    assert 0.4 < len(text) / len(raw) < 0.6
    paragraphs = [p for p in text.split("\n") if len(p) >= 20]
    assert len(paragraphs) == len(set(paragraphs))
    assert text.count("1月15日上午,中国共产党珠海市金湾区第五届代表大会第五次会议召开") == 1


def test_repeated_lead_paragraph_is_removed(cleaner: Cleaner) -> None:
    text = _clean(cleaner, DOCS / "005_nanshan.txt")
    assert text.count("1月27日上午,南山区八届人大四次会议开幕") == 1
    assert "南山综合实力连续6年位居全国百强区榜首" in text


@pytest.mark.parametrize("path", ALL_DOCS, ids=lambda p: p.name[:12])
def test_boilerplate_is_gone(cleaner: Cleaner, path: Path) -> None:
    text = _clean(cleaner, path)
    for junk in (
        "备案号",
        "ICP备",
        "网站标识码",
        "头部",
        "暂时没有评论",
        "我已经到底线啦",
        "【字体",
        "分享到",
        "扫一扫",
    ):
        assert junk not in text
    assert not re.search(r"^(xuexi|redian|ico|jinwan)$", text, re.MULTILINE)
    assert not re.search(r"^[|↓\s]*$", text, re.MULTILINE)


def test_body_text_is_kept(cleaner: Cleaner) -> None:
    seed2 = _clean(cleaner, _seed("002"))
    assert "2025年工作安排" in seed2
    assert "实现地区生产总值411亿元,同比增长3.6%" in seed2
    assert "认真落实省委“1310”[1]具体部署" in seed2  # footnote marker
    assert "[1]“1310”具体部署:" in seed2  # footnote text
    assert "2025-03-11 15:14:00" in seed2  # the page's date line is not boilerplate
    seed3 = _clean(cleaner, _seed("003"))
    assert seed3.startswith("1月15日上午")
    assert seed3.endswith("区五届四次党代会代表提案和提议办理情况报告(书面)。")


def test_full_width_to_half_width_but_chinese_punctuation_kept(cleaner: Cleaner) -> None:
    text = _clean(cleaner, _seed("000"))
    assert "１" not in text and "，" not in text and "：" not in text
    assert "1月16日,中国共产党凤岗镇" in text
    assert (
        cleaner.clean("增长５．５％（左右）；“十四五”、《报告》。") == "增长5.5%(左右);“十四五”、《报告》。"
    )


def test_whitespace_is_normalised(cleaner: Cleaner) -> None:
    raw = "  政 府 工 作 报 告 \r\n\r\n\n凤岗镇人民政府镇长\u3000\u3000韩俊峰\t\n\u200b地区生产总值 增长"
    assert cleaner.clean(raw) == "政府工作报告\n凤岗镇人民政府镇长 韩俊峰\n地区生产总值 增长"


@pytest.mark.parametrize("path", ALL_DOCS, ids=lambda p: p.name[:12])
def test_cleaning_is_idempotent(cleaner: Cleaner, path: Path) -> None:
    text = _clean(cleaner, path)
    assert cleaner.clean(text) == text


def test_user_boilerplate_file_overrides_bundled(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "boilerplate.toml").write_text("full_line = ['本站广告']\ncontains = []\n", encoding="utf-8")
    cleaner = Cleaner.from_settings(Settings(home=tmp_path / "home", data_dir=data))
    assert cleaner.clean("本站广告\n暂时没有评论\n正文。") == "暂时没有评论\n正文。"
