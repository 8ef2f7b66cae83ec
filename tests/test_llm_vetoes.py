"""The LLM engine's answer against the extractive engine's reading of the same evidence, for the four kinds of miss a
real small model made on the provincial sample (benchmarks/results/llm_local_cpu.json): a page's date stamp given as
the day of a meeting, the five-year average given for a one-year target, an amount without the rate the same
sentence states with it, and a yes/no verdict quoting an unrelated sentence. Replies go through the fake OpenAI
server over HTTP; questions are asked through a Session over a real index."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, fake_openai  # noqa: F401

from ragtool.api import Session
from ragtool.config import Settings
from ragtool.models import Answer

REPORT = """Title: 2026年江南省政府工作报告
Date: 2026-02-02

来源：江南日报
时间：2026-02-02
2026年江南省政府工作报告
——2026年1月25日在江南省第十四届人民代表大会第四次会议上
江南省人民政府省长 赵一鸣
一、2025年工作回顾
2025年，全省地区生产总值增长3.9%、总量连续12年居全国首位，社会消费品零售总额实现2.1万亿元、增长2.8%。
全省新建5G基站3.2万个，建成高标准农田120万亩。
二、“十五五”时期主要目标
“十五五”时期，地区生产总值年均增长5%左右。
三、2026年工作安排
2026年经济社会发展的主要预期目标是：地区生产总值增长4.5%—5%，一般公共预算收入增长2%。
加快建设“三大高地”：先进制造业发展高地、内陆地区改革开放高地、国家生态文明建设高地。
副省长王小明出席新闻发布会。
"""


@pytest.fixture
def session(fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path) -> Session:  # noqa: F811
    s = fake_openai.configure(settings, llm_timeout=5.0, llm_max_retries=0)
    (tmp_path / "jn.txt").write_text(REPORT, encoding="utf-8")
    session = Session(s, sync=False)
    session.ingest([tmp_path / "jn.txt"])
    return session


def reply(answer: str, quote: str) -> dict[str, object]:
    return {"answer": answer, "status": "answered", "confidence": 0.9,
            "citations": [{"chunk_id": "1", "quote": quote}], "candidates": []}


def ask(session: Session, fake: FakeOpenAI, question: str, answer: str, quote: str, engine: str = "llm") -> Answer:
    fake.script_chat(reply(answer, quote))
    return session.ask(question, engine=engine, explain=True, use_cache=False)  # type: ignore[arg-type]


def quotes(ans: Answer) -> str:
    return "".join(c.quote for c in ans.citations)


# ---- dates: a page's stamp is no meeting's day --------------------------------------------------------------


def test_a_page_stamp_given_as_the_meetings_day_is_vetoed_for_the_day_the_text_reads(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    ans = ask(session, fake_openai, "江南省今年政府工作报告是哪天在人代会上作的?", "2026-02-02", "时间：2026-02-02")
    assert ans.status == "answered" and "1月25日" in ans.answer, ans.notes
    assert "——2026年1月25日在江南省第十四届人民代表大会" in quotes(ans)  # the extractive engine's quote of the day
    assert any("'2026-02-02' was vetoed" in n and "stamp" in n for n in ans.notes)
    assert ans.explanation  # --explain shows the date reader's readings


def test_the_meetings_day_is_kept_as_the_model_gave_it(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    ans = ask(session, fake_openai, "江南省今年政府工作报告是哪天在人代会上作的?", "2026年1月25日",
              "——2026年1月25日在江南省第十四届人民代表大会第四次会议上")
    assert ans.status == "answered" and ans.answer == "2026年1月25日", ans.notes
    assert not any("vetoed" in n for n in ans.notes)


# ---- numbers: a vetoed value gives way to the verified reading; a part is completed ---------------------------


def test_the_five_year_average_for_a_one_year_target_gives_way_to_the_verified_target(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    ans = ask(session, fake_openai, "江南省2026年GDP增长目标是多少?", "地区生产总值年均增长5%左右",
              "“十五五”时期，地区生产总值年均增长5%左右。")
    assert ans.status == "answered" and "4.5%—5%" in ans.answer and "4.5%—5%" in quotes(ans), ans.notes
    assert "年均" not in quotes(ans)
    assert any("'地区生产总值年均增长5%左右' was vetoed" in n and "time" in n for n in ans.notes)
    assert any(x.vetoed == "time" for x in ans.explanation or [])


def test_without_a_verified_reading_the_vetoed_value_stays_a_candidate(
    fake_openai: FakeOpenAI, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    s = fake_openai.configure(settings, llm_timeout=5.0, llm_max_retries=0)
    (tmp_path / "jn.txt").write_text(REPORT.split("三、2026年工作安排")[0], encoding="utf-8")  # no 2026 target
    session = Session(s, sync=False)
    session.ingest([tmp_path / "jn.txt"])
    ans = ask(session, fake_openai, "江南省2026年GDP增长目标是多少?", "5%左右", "“十五五”时期，地区生产总值年均增长5%左右。")
    assert ans.status == "not_found" and ans.citations == [], ans.notes
    assert [c.value for c in ans.candidates] == ["5%左右"]
    assert any("candidate, not the answer" in n for n in ans.notes)


def test_an_amount_without_its_rate_is_completed_to_the_sentences_reading(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    ans = ask(session, fake_openai, "江南省2025年社零总额多少", "2.1万亿元",
              "社会消费品零售总额实现2.1万亿元、增长2.8%")
    assert ans.status == "answered" and "2.1万亿元" in ans.answer and "2.8%" in ans.answer, ans.notes
    assert any(n.startswith("answer completed") for n in ans.notes)


def test_a_value_is_not_completed_from_a_sentence_the_model_did_not_quote(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    """3.2 is part of no reading of the quoted sentence's indicator: the answer stays the model's."""
    ans = ask(session, fake_openai, "江南省2025年新建5G基站多少个", "3.2万个", "全省新建5G基站3.2万个，建成高标准农田120万亩。")
    assert ans.status == "answered" and "3.2万个" in ans.answer and "120" not in ans.answer, ans.notes
    assert not any(n.startswith("answer completed") for n in ans.notes)


# ---- yes/no: grounded in the claim, and agreeing with the yes/no checker ---------------------------------------


YESNO = "江南省GDP总量是不是连续12年全国第一"


def test_a_verdict_quoting_an_unrelated_sentence_is_answered_from_the_sentence_of_the_claim(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    ans = ask(session, fake_openai, YESNO, "是", "全省新建5G基站3.2万个，建成高标准农田120万亩。")
    assert ans.status == "answered" and ans.answer.startswith("是") and "连续12年" in ans.answer, ans.notes
    assert "连续12年" in quotes(ans) and "5G" not in quotes(ans)


def test_a_verdict_against_the_checkers_is_replaced_and_said(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    ans = ask(session, fake_openai, YESNO, "不是", "2025年，全省地区生产总值增长3.9%、总量连续12年居全国首位")
    assert ans.status == "answered" and ans.answer.startswith("是：") and "连续12年" in ans.answer, ans.notes
    assert any("'不是' was vetoed" in n and "verdict" in n for n in ans.notes)


def test_a_no_the_checker_agrees_with_is_not_taken_for_a_negation(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    """不是 is the verdict, not a negation the quote lacks: 连续12年 is no 连续15年."""
    ans = ask(session, fake_openai, "江南省GDP总量是不是连续15年全国第一", "不是",
              "2025年，全省地区生产总值增长3.9%、总量连续12年居全国首位")
    assert ans.status == "answered" and ans.answer.startswith("不是"), ans.notes
    assert not any("vetoed" in n for n in ans.notes)


def test_a_verdict_the_checker_cannot_read_must_quote_the_claims_subject(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    question = "江南省是否举办了全国运动会?"
    assert session.ask(question, engine="extractive").status == "not_found"
    ans = ask(session, fake_openai, question, "是", "全省新建5G基站3.2万个，建成高标准农田120万亩。")
    assert ans.status == "not_found" and ans.citations == [], ans.notes
    assert any("ungrounded" in n for n in ans.notes)


# ---- citation repair beyond numbers: a list, a definition; never a bare name -----------------------------------


def test_a_list_with_a_wrong_quote_is_cited_from_the_sentence_holding_every_item(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    ans = ask(session, fake_openai, "江南省“三大高地”是哪三个", "先进制造业发展高地、内陆地区改革开放高地、国家生态文明建设高地",
              "全省新建5G基站3.2万个，建成高标准农田120万亩。")
    assert ans.status == "answered" and "内陆地区改革开放高地" in ans.answer, ans.notes
    assert "国家生态文明建设高地" in quotes(ans) and "5G" not in quotes(ans)
    assert any(n.startswith("citation repaired") for n in ans.notes)


def test_a_bare_name_with_a_wrong_quote_is_not_repaired(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    ans = ask(session, fake_openai, "江南省省长是谁", "王小明", "全省新建5G基站3.2万个，建成高标准农田120万亩。")
    assert ans.status == "not_found" and ans.citations == [], ans.notes


def test_a_quote_with_other_quotation_marks_verifies(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    """The model wrote ‘三大高地’ for “三大高地”, and closed a quotation the document does not: the same words, cited
    as the document writes them."""
    ans = ask(session, fake_openai, "江南省“三大高地”是哪三个", "先进制造业发展高地、内陆地区改革开放高地、国家生态文明建设高地",
              "加快建设‘三大高地’：先进制造业发展高地’、内陆地区改革开放高地、国家生态文明建设高地。")
    assert ans.status == "answered" and "“三大高地”" in quotes(ans), ans.notes
    assert not any(n.startswith("citation repaired") for n in ans.notes)


# ---- the extractive engine's verified readings in the prompt --------------------------------------------------


def hints_sent(fake: FakeOpenAI) -> str:
    user = fake.chat_requests[-1].messages[-1]["content"]
    return user.split("规则抽取的候选答案")[1] if "规则抽取的候选答案" in user else ""


def test_a_name_question_shows_the_model_the_verified_name(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    ans = ask(session, fake_openai, "江南省省长是谁", "赵一鸣", "江南省人民政府省长 赵一鸣")
    assert "赵一鸣" in hints_sent(fake_openai)
    assert ans.status == "answered" and "赵一鸣" in ans.answer, ans.notes


def test_a_list_question_shows_no_readings(session: Session, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    ask(session, fake_openai, "江南省“三大高地”是哪三个", "先进制造业发展高地、内陆地区改革开放高地、国家生态文明建设高地",
        "加快建设“三大高地”：先进制造业发展高地、内陆地区改革开放高地、国家生态文明建设高地。")
    assert hints_sent(fake_openai) == ""


def test_a_name_quoted_too_briefly_is_cited_from_the_sentence_the_extractive_engine_reads_it_in(
    session: Session, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    """省长 赵一鸣 is too short a quote to count on its own; the name is the extractive engine's verified reading."""
    ans = ask(session, fake_openai, "江南省省长是谁", "赵一鸣", "省长 赵一鸣")
    assert ans.status == "answered" and ans.answer == "赵一鸣", ans.notes
    assert "赵一鸣" in quotes(ans) and any(n.startswith("citation repaired") for n in ans.notes)
    other = ask(session, fake_openai, "江南省省长是谁", "王小明", "省长 王小明")  # a name the evidence does not read
    assert other.status == "not_found" and other.citations == [], other.notes
