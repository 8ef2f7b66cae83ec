"""Property tests of cleaning and chunking on generated text."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as h_settings
from hypothesis import strategies as st

from ragtool.config import Settings
from ragtool.ingest.chunk import chunk_document, count_tokens
from ragtool.ingest.clean import Cleaner
from ragtool.models import DocMeta, Document

# Han characters that cannot spell any boilerplate word, plus sentence and clause punctuation.
HAN = "经济社会发展增长产业项目建设投资创新城乡民生改革开放质量全镇目标工程推进"
PUNCT = "。,、;!?:“”《》"
CONFIG = h_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

sentence = st.builds(
    lambda han, num: han + num + "。",
    st.text(alphabet=HAN, min_size=1, max_size=30),
    st.text(alphabet="0123456789.%", max_size=6),
)
paragraph = st.lists(sentence, min_size=1, max_size=6).map("".join)
body = st.lists(paragraph, min_size=1, max_size=12, unique=True)
messy = st.text(
    alphabet=HAN + PUNCT + " \t\r\n\u3000\u00a0,()%１２ａＡ（）：zhèn" + "ico头部首页备案号", max_size=400
)


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.from_settings(Settings())


@CONFIG
@given(text=st.one_of(messy, st.text(max_size=300)))
def test_cleaning_is_idempotent(cleaner: Cleaner, text: str) -> None:
    once = cleaner.clean(text)
    assert cleaner.clean(once) == once


@CONFIG
@given(paragraphs=body, pad=st.sampled_from(["\n", "\n\n", " \n\u3000", "\r\n", "\t\n  "]))
def test_body_text_survives_cleaning(cleaner: Cleaner, paragraphs: list[str], pad: str) -> None:
    text = pad.join(paragraphs)
    cleaned = cleaner.clean(text)
    assert cleaned.split("\n") == paragraphs
    assert Counter(c for c in cleaned if c in HAN) == Counter(c for c in text if c in HAN)


@CONFIG
@given(paragraphs=body, boiler=st.sampled_from(["头部", "xuexi", "备案号:粤ICP备123号", "暂时没有评论", "|"]))
def test_only_boilerplate_and_repeats_are_dropped(
    cleaner: Cleaner, paragraphs: list[str], boiler: str
) -> None:
    noisy = [boiler, *paragraphs, *(p for p in paragraphs if len(p) >= 20), boiler]
    assert cleaner.clean("\n".join(noisy)).split("\n") == paragraphs


@CONFIG
@given(
    paragraphs=st.lists(
        st.one_of(paragraph, st.text(alphabet=HAN, min_size=1, max_size=12)), min_size=1, max_size=25
    ),
    budget=st.integers(min_value=8, max_value=120),
    overlap=st.integers(min_value=0, max_value=2),
)
def test_chunks_respect_budget_offsets_and_coverage(paragraphs: list[str], budget: int, overlap: int) -> None:
    text = "\n".join(paragraphs)
    doc = Document(meta=DocMeta(doc_id="f" * 16, title="测试", place="凤岗镇"), text=text)
    chunks = chunk_document(doc, budget=budget, overlap=overlap)
    covered = bytearray(len(text))
    for i, chunk in enumerate(chunks):
        assert chunk.chunk_id == f"{'f' * 16}-{i:04d}"
        assert chunk.text == text[chunk.start : chunk.end]
        assert count_tokens(chunk.text) <= budget
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    assert all(hit or c.isspace() for c, hit in zip(text, covered, strict=True))
