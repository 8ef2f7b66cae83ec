"""Extractive summaries: seeds, unseen devcorpus documents, provenance of every quote, data overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ragtool.answer.verify import verify_quote
from ragtool.config import Settings
from ragtool.index.corpus import Corpus
from ragtool.ingest.clean import Cleaner
from ragtool.ingest.load import load_file
from ragtool.ingest.pipeline import ingest_paths, prepare
from ragtool.models import Chunk, Document, DocumentSummary, KeyFigure
from ragtool.summarize import summarize_document
from ragtool.textnorm import t2s

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DEV = REPO / "evals" / "devcorpus" / "docs"


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def prepared(settings: Settings, path: Path) -> tuple[Document, list[Chunk]]:
    return prepare(load_file(path), Cleaner.from_settings(settings), settings)


def summary_of(settings: Settings, path: Path) -> DocumentSummary:
    doc, chunks = prepared(settings, path)
    return summarize_document(settings, doc, chunks)


def figures(s: DocumentSummary, indicator: str) -> list[KeyFigure]:
    return [f for f in s.key_figures if f.indicator == indicator]


def roles_of(s: DocumentSummary, name: str) -> set[str]:
    """Simplified roles recorded for a person (names compared in simplified form)."""
    return {t2s(o.role) for o in s.officials if t2s(o.name) == t2s(name)}


def test_seed_002_gdp_actual_and_target_and_mayor_from_the_index(settings: Settings) -> None:
    ingest_paths([seed("002")], settings)
    corpus = Corpus(settings)
    meta = corpus.documents()[0]
    doc = corpus.get_document(meta.doc_id)
    assert doc is not None
    s = summarize_document(settings, doc, corpus.store.chunks(meta.doc_id))
    gdp = figures(s, "地区生产总值")
    actual = {(f.value, f.year) for f in gdp if f.type == "actual"}
    assert ("411亿元", 2024) in actual
    assert ("增长3.6%", 2024) in actual
    target = [f for f in gdp if f.type == "target" and f.year == 2025]
    assert [(f.value, f.qualifier) for f in target] == [("增长5.5%", "左右")]
    assert "5.5%左右" in target[0].quote
    assert "镇长" in roles_of(s, "韩俊峰")
    assert s.engine == "extractive" and s.prompt_version.startswith("extractive-v1")
    assert "第十八届" in s.meeting and s.meeting.endswith("第八次会议")


def test_seed_001_programme_items_and_growth_target(settings: Settings) -> None:
    s = summary_of(settings, seed("001"))
    texts = [p.text for p in s.priorities]
    for item in ("投资扩能", "产业提质", "城市更新"):
        assert item in texts
    assert all("三大" in p.quote for p in s.priorities if p.text in ("投资扩能", "产业提质", "城市更新"))
    target = [f for f in figures(s, "地区生产总值") if f.type == "target" and f.year == 2024]
    assert [f.value for f in target] == ["5%"]
    assert "预期目标" in target[0].quote


def test_seed_004_traditional_names_stay_as_written(settings: Settings) -> None:
    s = summary_of(settings, seed("004"))
    zhao = [o for o in s.officials if o.name == "趙錫雄"]
    assert zhao, [o.name for o in s.officials]
    assert t2s(zhao[0].role) == "镇党委书记"
    assert "赵锡雄" not in [o.name for o in s.officials]  # not duplicated in another script
    assert t2s("鎮長") in roles_of(s, "賴文盛")


@pytest.mark.parametrize(
    ("doc", "name", "role"),
    [
        ("016_hanbin.txt", "向诗兵", "代区长"),
        ("014_changqi.txt", "陈思", "镇党委书记"),
        ("014_changqi.txt", "徐彦雄", "镇长"),
        ("013_zhangping.txt", "李毓文", "市长"),
        ("002_huizhou.txt", "陈宇航", "代市长"),
        ("010_xiangang.txt", "吳文泉", "副镇长"),
        ("012_heshui.txt", "曹偉源", "镇人大主席"),
        ("006_longhua_shenzhen.txt", "雷卫华", "区长"),
        ("020_wolong.txt", "吕志刚", "区委书记"),
    ],
)
def test_officials_on_unseen_documents(settings: Settings, doc: str, name: str, role: str) -> None:
    s = summary_of(settings, DEV / doc)
    assert role in roles_of(s, name), [(o.role, o.name) for o in s.officials]


def test_name_boundary_trap_is_not_swallowed(settings: Settings) -> None:
    s = summary_of(settings, DEV / "014_changqi.txt")
    names = {o.name for o in s.officials}
    assert "陈思" in names and "陈思为" not in names
    assert not any(o.name.startswith("候选") for o in s.officials)


@pytest.mark.parametrize(
    ("doc", "indicator", "value", "year", "type_", "qualifier"),
    [
        ("016_hanbin.txt", "地区生产总值", "440.5亿元", 2024, "actual", ""),
        ("016_hanbin.txt", "固定资产投资", "增长6.5%", 2024, "actual", ""),
        ("001_sanshui.txt", "地区生产总值", "增长5%", 2025, "target", "左右"),
        ("001_sanshui.txt", "一般公共预算收入", "与上年持平", 2025, "target", ""),
        ("002_huizhou.txt", "地区生产总值", "6136.4亿元", 2024, "actual", ""),
        ("002_huizhou.txt", "规模以上工业增加值", "增长7.5%", 2025, "target", "以上"),
        ("003_huizhou_2024.txt", "地区生产总值", "增长6%", 2024, "target", "以上"),
        ("004_panyu.txt", "地区生产总值", "2867亿元", 2023, "actual", ""),
        ("007_longhua_haikou.txt", "地区生产总值", "增长3.5%", 2024, "actual", ""),
        ("008_changan.txt", "地区生产总值", "1050.7亿元", 2024, "actual", ""),
        ("013_zhangping.txt", "一般公共预算收入", "9.1億元", 2024, "actual", "预计"),
    ],
)
def test_key_figures_on_unseen_documents(
    settings: Settings, doc: str, indicator: str, value: str, year: int, type_: str, qualifier: str
) -> None:
    s = summary_of(settings, DEV / doc)
    found = [(f.value, f.year, f.type, f.qualifier) for f in figures(s, indicator)]
    assert (value, year, type_, qualifier) in found, found


def test_no_figures_for_ratios_ranks_or_other_indicators(settings: Settings) -> None:
    s = summary_of(settings, DEV / "013_zhangping.txt")
    assert all("第" not in f.value and "位" not in f.value for f in s.key_figures)
    huizhou = summary_of(settings, DEV / "002_huizhou.txt")
    assert not [f for f in figures(huizhou, "地区生产总值") if f.value == "3.5%"]  # 占地区生产总值比重


@pytest.mark.parametrize(
    ("doc", "items"),
    [
        ("008_changan.txt", ["典型引领", "全域统筹", "民生提质"]),
        ("009_dongfeng.txt", ["经济强", "城乡美", "社会治"]),
    ],
)
def test_programme_items_on_unseen_documents(settings: Settings, doc: str, items: list[str]) -> None:
    texts = [p.text for p in summary_of(settings, DEV / doc).priorities]
    assert all(i in texts for i in items), texts


def test_numbered_work_plan_headings_are_priorities(settings: Settings) -> None:
    s = summary_of(settings, DEV / "007_longhua_haikou.txt")
    texts = [p.text for p in s.priorities]
    assert texts[:2] == ["深化改革、扩大开放", "扛稳优势、集群发展"]
    assert "改革创新优环境稳实体" not in texts  # a 2024 review heading, not a priority
    assert len(texts) == len(set(texts))  # the table of contents does not double them


@pytest.mark.parametrize(
    ("doc", "meeting"),
    [
        ("014_changqi.txt", "长岐镇第十八届人民代表大会第八次会议"),
        ("017_xiage.txt", "中国共产党下各镇第十六届代表大会第三次会议"),
        ("013_zhangping.txt", "漳平市第十八屆人民代表大會第四次會議"),
    ],
)
def test_meeting_name(settings: Settings, doc: str, meeting: str) -> None:
    assert summary_of(settings, DEV / doc).meeting == meeting


def test_abstract_is_leading_text_and_short(settings: Settings) -> None:
    s = summary_of(settings, DEV / "005_nanshan.txt")
    assert s.abstract.startswith("1月27日上午,南山区八届人大四次会议开幕。")
    assert 0 < len(s.abstract) <= 200


ALL_DOCS = sorted(SEEDS.glob("*.txt")) + sorted(DEV.glob("*.txt"))


@pytest.mark.parametrize("path", ALL_DOCS, ids=[p.name for p in ALL_DOCS])
def test_every_quote_verifies_against_its_chunk(settings: Settings, path: Path) -> None:
    doc, chunks = prepared(settings, path)
    s = summarize_document(settings, doc, chunks)
    by_id = {c.chunk_id: c for c in chunks}
    for item in [*s.officials, *s.key_figures, *s.priorities]:
        assert item.chunk_id in by_id, item
        cite = verify_quote(item.quote, by_id[item.chunk_id], doc.meta.title)
        assert cite is not None and cite.quote == item.quote, item
        assert doc.text[cite.start : cite.end] == item.quote
    DocumentSummary.model_validate(s.model_dump())


def test_user_data_files_override_the_bundled_tables(settings: Settings, tmp_path: Path) -> None:
    path = DEV / "005_nanshan.txt"
    before = summary_of(settings, path)
    assert not figures(before, "空气质量优良率")
    data = tmp_path / "data"
    data.mkdir()
    bundled = (REPO / "ragtool" / "data" / "indicators.toml").read_text(encoding="utf-8")
    (data / "indicators.toml").write_text(
        bundled + '\n[indicator."空气质量优良率"]\nforms = ["空气质量优良率"]\n', encoding="utf-8"
    )
    custom = settings.model_copy(update={"data_dir": data})
    after = summary_of(custom, path)
    assert [f.value for f in figures(after, "空气质量优良率")] == ["96.7%"]
    assert after.prompt_version != before.prompt_version  # resume sees the rules changed


def test_exported_json_schema_is_in_sync() -> None:
    exported = json.loads((REPO / "schemas" / "document_summary.schema.json").read_text(encoding="utf-8"))
    assert exported == DocumentSummary.model_json_schema(), (
        "regenerate schemas/document_summary.schema.json from DocumentSummary.model_json_schema()"
    )
