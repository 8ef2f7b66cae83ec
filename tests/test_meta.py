"""Metadata of the seeds and the devcorpus: place, kind, date, title, ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import load_file
from ragtool.ingest.meta import doc_id_for, extract_meta, parse_date
from ragtool.models import DocMeta

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DOCS = REPO / "evals" / "devcorpus" / "docs"


def _meta(path: Path, settings: Settings) -> DocMeta:
    loaded = load_file(path)
    text = Cleaner.from_settings(settings).clean(loaded.text)
    return extract_meta(text, loaded.header, source=str(path), file_hash=loaded.file_hash, settings=settings)


@pytest.mark.parametrize(
    ("prefix", "place", "kind", "date"),
    [
        ("000", "凤岗镇", "党代会", "2025-01-16"),
        ("001", "厚街镇", "党代会", "2024-02-26"),
        ("002", "凤岗镇", "政府工作报告", "2025-03-11"),
        ("003", "金湾区", "党代会", "2025-01-15"),
        ("004", "小榄镇", "党委会议", "2024-04-12"),
    ],
)
def test_seed_metadata(settings: Settings, prefix: str, place: str, kind: str, date: str) -> None:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    meta = _meta(path, settings)
    assert (meta.place, meta.kind, meta.date, meta.year) == (place, kind, date, int(date[:4]))
    assert place in meta.places
    assert meta.title
    assert meta.source == str(path)
    assert len(meta.file_hash) == 64


# place, kind, and the date (or its known prefix: year-month or year) from evals/devcorpus/README.md
DEVCORPUS = [
    ("001_sanshui", "三水区", "政府工作报告", "2025-01-23"),
    ("002_huizhou", "惠州市", "政府工作报告", "2025-02"),
    ("003_huizhou_2024", "惠州市", "政府工作报告", "2024-01-19"),
    ("004_panyu", "番禺区", "政府工作报告", "2024-02-28"),
    ("005_nanshan", "南山区", "政府工作报告", "2024-01-28"),
    ("006_longhua_shenzhen", "龙华区", "政府工作报告", "2025-01-17"),
    ("007_longhua_haikou", "龙华区", "政府工作报告", "2025"),
    ("008_changan", "长安镇", "other", "2025-04-25"),
    ("009_dongfeng", "东凤镇", "政府工作报告", "2024-02-01"),
    ("010_xiangang", "蚬冈镇", "政府工作报告", "2024"),
    ("011_cangcheng", "苍城镇", "政府工作报告", "2025"),
    ("012_heshui", "合水镇", "政府工作报告", "2025-03-21"),
    ("013_zhangping", "漳平市", "政府工作报告", "2024-12-26"),
    ("014_changqi", "长岐镇", "政府工作报告", "2025-04-30"),
    ("015_zengcheng", "增城区", "政府工作报告", "2025-03-11"),
    ("016_hanbin", "汉滨区", "政府工作报告", "2025-04-15"),
    ("017_xiage", "下各镇", "党代会", "2024-02-27"),
    ("018_sijing", "泗泾镇", "党代会", "2023-12-25"),
    ("019_xinjin", "新津区", "经济工作会议", "2025-01"),
    ("020_wolong", "卧龙区", "党委会议", "2025-01-13"),
]


@pytest.mark.parametrize(("name", "place", "kind", "date"), DEVCORPUS, ids=[d[0] for d in DEVCORPUS])
def test_devcorpus_metadata(settings: Settings, name: str, place: str, kind: str, date: str) -> None:
    meta = _meta(DOCS / f"{name}.txt", settings)
    assert meta.place == place
    assert meta.kind == kind
    assert (meta.date or str(meta.year)).startswith(date)
    assert meta.year == int(date[:4])
    assert meta.url and meta.url.startswith("http")


def test_places_are_simplified_and_free_of_generic_words(settings: Settings) -> None:
    all_places: set[str] = set()
    for path in [*SEEDS.glob("*.txt"), *DOCS.glob("*.txt")]:
        all_places.update(_meta(path, settings).places)
    assert {"珠海市", "金湾区", "广州市", "海口市", "龙岩市", "漳平市", "深圳市", "东莞市"} <= all_places
    generic = {
        "全市",
        "本镇",
        "该市",
        "城市",
        "示范区",
        "先行区",
        "大湾区",
        "各镇",
        "城镇",
        "社区",
        "百强区",
        "中心镇",
    }
    verbs = {"议暨镇", "讨论镇", "落实市", "组建区", "学习市", "召开区"}
    assert not all_places & (generic | verbs)
    assert all(len(p) >= 3 for p in all_places)
    assert not any(ch in "".join(all_places) for ch in "鎮區縣欖蜆岡蒼")


def test_text_without_header(settings: Settings) -> None:
    text = "中国东莞政府门户网站\n2025年凤岗镇政府工作报告\n发布时间:2025-03-11\n——2025年3月3日在凤岗镇人民代表大会上\n正文。"
    meta = extract_meta(text, {}, settings=settings)
    assert meta.title == "2025年凤岗镇政府工作报告"
    assert meta.date == "2025-03-11"
    assert meta.place == "凤岗镇"
    assert meta.kind == "政府工作报告"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("1月16日,中国共产党某某镇代表大会召开。会议总结2024年工作,部署2025年工作。", "2025-01-16"),
        ("4月12日上午,镇党委召开会议。举办纪念1994年菊花大会三十周年大展。", "2024-04-12"),
        ("3月5日,会议召开。到2035年基本实现现代化。2023年全镇生产总值增长。", "2023-03-05"),
        ("(2024年 1月30日中山市东凤镇第十七届人民代表大会第六次会议通过)", "2024-01-30"),
        ("会议于8月22日召开,审议了《苍城镇2024年决算草案报告》。", "2025-08-22"),
        ("2月11日上午,某某区人民代表大会开幕。区长在报告中回顾了2025年和“十四五”时期的工作。", "2026-02-11"),
    ],
)
def test_date_from_text_and_inferred_year(settings: Settings, text: str, date: str) -> None:
    assert extract_meta(text, {"date": "None"}, settings=settings).date == date


def test_header_date_wins_and_bad_header_date_is_ignored(settings: Settings) -> None:
    text = "2月3日,某某区人民代表大会开幕。"
    assert extract_meta(text, {"date": "2024-12-26"}, settings=settings).date == "2024-12-26"
    assert extract_meta(text, {"date": "2024-13-45"}, settings=settings).date is None
    assert parse_date("2025/3/11 15:14") == "2025-03-11"
    assert parse_date("2025年04月15日") == "2025-04-15"
    assert parse_date("None") is None


def test_title_site_suffix_is_cut(settings: Settings) -> None:
    header = {"title": "2025年这样干!凤岗镇代表大会召开_中国东莞凤岗镇栏目"}
    assert extract_meta("正文。", header, settings=settings).title == "2025年这样干!凤岗镇代表大会召开"


def test_doc_id_is_hash_of_cleaned_text(settings: Settings) -> None:
    meta = extract_meta("凤岗镇政府工作报告。", {}, settings=settings)
    assert meta.doc_id == doc_id_for("凤岗镇政府工作报告。") and len(meta.doc_id) == 16
    assert extract_meta("凤岗镇政府工作报告!", {}, settings=settings).doc_id != meta.doc_id


def test_user_kind_cues_override_bundled(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    bundled = (REPO / "ragtool" / "data" / "meta.toml").read_text(encoding="utf-8")
    (data / "meta.toml").write_text(bundled.replace("'两会'", "'两会', '座谈会'"), encoding="utf-8")
    custom = Settings(home=tmp_path / "home", data_dir=data)
    assert extract_meta("凤岗镇召开座谈会。", {}, settings=custom).kind == "政府工作报告"
    assert extract_meta("凤岗镇召开座谈会。", {}, settings=Settings(home=tmp_path / "h2")).kind == "other"


@pytest.mark.parametrize(
    ("title", "text", "form"),
    [
        ("松岭县第十八届人民代表大会第五次会议开幕", "本报讯 27日上午,县第十八届人民代表大会第五次会议开幕。大会由吴国华主持。", "news"),
        ("2026年松岭县政府工作报告", "——2026年1月27日在松岭县第十八届人民代表大会第五次会议上\n各位代表:\n现在,我代表县人民政府向大会报告工作。", "report"),
        ("松岭县召开党委会议", "1月5日,县委召开常委会议。会议强调,要抓好经济工作。", "news"),
        ("松岭县简介", "松岭县位于省境东部,面积1200平方公里。", ""),
    ],
)
def test_a_meeting_report_is_told_from_news_of_the_meeting(settings: Settings, title: str, text: str, form: str) -> None:
    assert extract_meta(text, {"title": title}, settings=settings).form == form
