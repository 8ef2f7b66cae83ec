"""Comparisons over reports written for the test (three towns, one with two years' reports, and two provinces):
`Session.compare` and `ragtool compare` (rows, parsed values, not-found rows, sorting, filters, formats, a time
series), ask's routing of comparison questions (哪个…最高, 比较A和B, 各镇…分别是多少) and the eval's compare cases."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from corpora import session_over
from faultkit import cli, cli_env
from typer.testing import CliRunner

from ragtool.api import Session
from ragtool.cli.main import app
from ragtool.compare import render, shown_figure, stated_quantity
from ragtool.config import Settings
from ragtool.errors import UsageError
from ragtool.eval.cases import EvalCase
from ragtool.eval.check import check_answer
from ragtool.eval.metrics import compute_metrics
from ragtool.eval.results import CaseResult
from ragtool.models import ComparisonRow
from ragtool.zh.lexicon import Lexicon

GRAMMAR = Lexicon.load(Settings()).quantities

REPORTS = {
    "shiwan_2026.txt": """Title: 2026年石湾镇政府工作报告
Date: 2026-01-12

石湾镇2026年政府工作报告
石湾镇人民政府镇长 陈志明
一、2025年工作回顾
2025年，全镇地区生产总值完成312.5亿元，同比增长6.1%。
二、2026年工作安排
2026年全镇地区生产总值预期增长7%左右。
""",
    "shiwan_2025.txt": """Title: 2025年石湾镇政府工作报告
Date: 2025-01-10

石湾镇2025年政府工作报告
石湾镇人民政府镇长 陈志明
一、2024年工作回顾
2024年，全镇地区生产总值完成295.2亿元，同比增长5.2%。
二、2025年工作安排
2025年全镇地区生产总值预期增长6.5%左右。
""",
    "longjiang_2026.txt": """Title: 2026年龙江镇政府工作报告
Date: 2026-01-15

龙江镇2026年政府工作报告
龙江镇人民政府镇长 黄海波
一、2025年工作回顾
2025年，全镇地区生产总值达到420.8亿元，同比增长5.5%。
二、2026年工作安排
2026年全镇地区生产总值预期增长5%—6%，固定资产投资增长8%。
""",
    "longjiang_2026_note.txt": """Title: 龙江镇召开党委（扩大）会议
Date: 2026-03-02

3月2日，龙江镇召开党委（扩大）会议，传达学习上级会议精神，研究部署城市更新工作。镇党委书记张立新主持会议并讲话。
""",
    "jiujiang_2026.txt": """Title: 2026年九江镇政府工作报告
Date: 2026-01-18

九江镇2026年政府工作报告
九江镇人民政府镇长 李建华
一、2025年工作回顾
2025年，全镇地区生产总值完成180.3亿元，同比增长4.2%。
二、2026年工作安排
2026年全镇要扎实推进城市更新，建设高品质社区。
""",
    "hubei_2026.txt": """Title: 2026年湖北省政府工作报告
Date: 2026-02-10

政府工作报告
——2026年1月28日在湖北省第十四届人民代表大会第五次会议上
湖北省省长 李晓明
各位代表：
一、2025年和“十四五”时期工作回顾
过去一年，全省地区生产总值6.3万亿元、增长5.6%，城镇新增就业92万人。
二、“十五五”时期的主要目标
“十五五”时期地区生产总值年均增长5.5%左右。
三、2026年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长5%—5.5%，城镇新增就业80万人以上。
""",
    "jiangsu_2026.txt": """Title: 2026年江苏省政府工作报告
Date: 2026-01-30

政府工作报告
——2026年1月26日在江苏省第十四届人民代表大会第五次会议上
江苏省省长 王华东
各位代表：
一、2025年工作回顾
过去一年，全省地区生产总值13.9万亿元、增长5.3%。
二、2026年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇新增就业130万人。
""",
}
TARGET = "2026年GDP增长目标"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> Session:
    return session_over(tmp_path_factory, REPORTS)


def by_place(rows: list[ComparisonRow]) -> dict[str, ComparisonRow]:
    return {r.place or "": r for r in rows}


def doc_text(session: Session, doc_id: str) -> str:
    doc = session.corpus.get_document(doc_id)
    assert doc is not None
    return doc.text


def env_for(session: Session, **extra: str) -> dict[str, str]:
    s = session.settings
    env = {"RAGTOOL_HOME": str(s.home), "RAGTOOL_EMBEDDER": "hash", "RAGTOOL_CORPUS": str(s.corpus),
           "RAGTOOL_COLLECTION": s.collection, **extra}
    if s.chroma_url:
        env["RAGTOOL_CHROMA_URL"] = s.chroma_url
    return env


def invoke(session: Session, *args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env_for(session), input=stdin, catch_exceptions=False)


# ---- rows ---------------------------------------------------------------------------------------------


def test_one_row_per_place_with_the_value_as_written_parsed_and_quoted(session: Session) -> None:
    rows = by_place(session.compare(TARGET, engine="extractive"))
    assert set(rows) == {"石湾镇", "龙江镇", "九江镇", "湖北省", "江苏省"}
    expected = {"石湾镇": ("7%左右", 7, 7), "龙江镇": ("5%—6%", 5, 6), "湖北省": ("5%—5.5%", 5, 5.5),
                "江苏省": ("5%左右", 5, 5)}
    for place, (figure, low, high) in expected.items():
        r = rows[place]
        assert r.status == "answered" and figure in r.value and r.figure == figure, r
        assert (r.low, r.high, r.unit) == (low, high, "%")
        assert r.quote and r.quote in doc_text(session, r.doc_id)  # the verified quote, from the row's own report
        assert all(c.doc_id == r.doc_id for c in r.citations)
    hubei = rows["湖北省"]
    assert (hubei.level, hubei.year, hubei.date, hubei.title) == ("省", 2026, "2026-02-10", "2026年湖北省政府工作报告")
    assert rows["石湾镇"].date == "2026-01-12"  # the newest of the place's two reports
    assert "5.5%左右" not in hubei.value  # the 十五五 average is not the 2026 target: ask's time-frame rules


def test_a_place_that_does_not_state_it_stays_as_a_not_found_row(session: Session) -> None:
    row = by_place(session.compare(TARGET, engine="extractive"))["九江镇"]
    assert row.status == "not_found" and row.value == "" and row.quote == "" and row.low is None
    assert row.doc_id and row.title == "2026年九江镇政府工作报告" and row.question == "九江镇" + TARGET


def test_a_place_is_its_newest_report_then_the_others_of_that_year_never_an_older_year(session: Session) -> None:
    longjiang = by_place(session.compare(TARGET, engine="extractive"))["龙江镇"]
    assert longjiang.status == "answered" and longjiang.date == "2026-01-15"  # the newer meeting note lacks it
    old = session.compare("2024年地区生产总值", places=["石湾"], engine="extractive")
    assert [(r.status, r.year) for r in old] == [("not_found", 2026)]  # the 2025 report is not the place's newest
    every = session.compare("2024年地区生产总值", places=["石湾"], all_docs=True, engine="extractive")
    assert [(r.year, r.figure) for r in every if r.status == "answered"] == [(2025, "295.2亿元")]


def test_each_place_is_asked_its_own_question_without_the_other_places(session: Session) -> None:
    rows = session.compare("比较石湾和龙江的2026年GDP增长目标", engine="extractive")
    assert {r.place for r in rows} == {"石湾镇", "龙江镇"}
    assert {r.question for r in rows} == {"石湾镇2026年GDP增长目标", "龙江镇2026年GDP增长目标"}


def test_the_head_of_government_is_each_places_own_title(session: Session) -> None:
    rows = by_place(session.compare("省长是谁", engine="extractive"))
    assert "李晓明" in rows["湖北省"].value and "王华东" in rows["江苏省"].value
    assert "陈志明" in rows["石湾镇"].value and rows["石湾镇"].question == "石湾镇镇长是谁"
    assert rows["湖北省"].low is None and rows["湖北省"].figure == ""  # a name is no number


@pytest.mark.parametrize(
    ("text", "figure", "low", "high", "unit"),
    [
        ("地区生产总值增长5.5%左右", "5.5%左右", 5.5, 5.5, "%"),
        ("增长4.5%—5%", "4.5%—5%", 4.5, 5, "%"),
        ("4.6万亿元", "4.6万亿元", 4.6, 4.6, "万亿元"),
        ("增长5%-5.5%", "5%-5.5%", 5, 5.5, "%"),
        ("增长5.5%～6%", "5.5%～6%", 5.5, 6, "%"),
        ("增长5%至6%", "5%至6%", 5, 6, "%"),
        ("增长4.5——5%", "4.5——5%", 4.5, 5, "%"),
        ("增长5％以上", "5％以上", 5, 5, "%"),
        ("从11.37万亿元提高到14.58万亿元", "14.58万亿元", 14.58, 14.58, "万亿元"),  # a starting point is no value
        ("2025年增长7%", "7%", 7, 7, "%"),  # a year is no figure
    ],
)
def test_values_are_parsed_to_low_high_and_unit(text: str, figure: str, low: float, high: float, unit: str) -> None:
    fig = stated_quantity(text, GRAMMAR)
    assert fig is not None and (shown_figure(fig), fig.low, fig.high, fig.written_unit) == (figure, low, high, unit)


def test_a_name_has_no_parsed_value() -> None:
    assert stated_quantity("湖北省省长 李晓明", GRAMMAR) is None


def test_sort_by_value_highest_first_and_not_found_last(session: Session) -> None:
    rows = session.compare(TARGET, engine="extractive", sort="value")
    assert [r.place for r in rows] == ["石湾镇", "龙江镇", "湖北省", "江苏省", "九江镇"]
    amounts = session.compare("2025年地区生产总值", engine="extractive", sort="value")
    assert [r.place for r in amounts][:2] == ["江苏省", "湖北省"]  # 13.9万亿元 > 6.3万亿元 > 420.8亿元: one base unit
    assert [r.place for r in amounts][2] == "龙江镇"


# ---- filters --------------------------------------------------------------------------------------------


def test_place_level_and_year_filters(session: Session) -> None:
    two = session.compare(TARGET, places=["石湾", "龙江镇"], engine="extractive")
    assert {r.place for r in two} == {"石湾镇", "龙江镇"}
    provinces = session.compare(TARGET, level="省", engine="extractive")
    assert {r.place for r in provinces} == {"湖北省", "江苏省"}
    older = session.compare("GDP增长目标", year=2025, engine="extractive")
    assert [(r.place, r.year, r.figure) for r in older] == [("石湾镇", 2025, "6.5%左右")]


@pytest.mark.parametrize(("opts", "words"), [({"places": ["火星"]}, "unknown place '火星'"),
                                             ({"level": "国"}, "unknown --level '国'"),
                                             ({"by": "month"}, "bad --by")])
def test_bad_filters_are_usage_errors(session: Session, opts: dict[str, Any], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        session.compare(TARGET, engine="extractive", **opts)


def test_all_docs_by_year_is_a_time_series_of_one_place(session: Session) -> None:
    rows = session.compare("地区生产总值", places=["石湾"], all_docs=True, by="year", engine="extractive")
    assert [(r.year, r.figure) for r in rows] == [(2025, "295.2亿元"), (2026, "312.5亿元")]
    assert len({r.doc_id for r in rows}) == 2
    newest_only = session.compare("地区生产总值", places=["石湾"], engine="extractive")
    assert [r.year for r in newest_only] == [2026]


# ---- output formats -------------------------------------------------------------------------------------


def test_csv_json_and_markdown_hold_every_row(session: Session) -> None:
    rows = session.compare(TARGET, engine="extractive", sort="value")
    table = list(csv.DictReader(io.StringIO(render(rows, "csv"))))
    assert [t["place"] for t in table] == [r.place for r in rows]
    assert (table[1]["value"], table[1]["low"], table[1]["high"], table[1]["unit"]) == ("地区生产总值预期增长5%—6%", "5", "6", "%")
    assert table[-1]["status"] == "not_found"
    assert json.loads(render(rows, "json")) == [r.model_dump(mode="json") for r in rows]
    md = render(rows, "md").splitlines()
    assert len(md) == len(rows) + 2 and md[0].startswith("| place |") and "7%左右" in md[2]


# ---- ask routes comparison questions ---------------------------------------------------------------------


def test_a_superlative_answers_the_winner_and_the_runners_up_each_with_a_quote(session: Session) -> None:
    answer = session.ask("哪个镇2026年GDP增长目标最高", engine="extractive")
    assert answer.status == "answered"
    assert answer.answer.startswith("石湾镇：7%左右（最高）；龙江镇：5%—6%"), answer.answer
    assert "九江镇：未找到" in answer.answer
    assert [r.place for r in answer.comparison] == ["石湾镇", "龙江镇", "九江镇"]  # towns only: 哪个镇
    assert [c.doc_id for c in answer.citations] == [r.doc_id for r in answer.comparison[:2]]
    assert all(c.quote in doc_text(session, c.doc_id) for c in answer.citations)


def test_the_lowest_and_a_two_place_comparative(session: Session) -> None:
    highest = session.ask("哪个省2026年GDP增长目标最高", engine="extractive")
    assert highest.answer.startswith("湖北省：5%—5.5%（最高）")
    lowest = session.ask("2026年GDP增长目标最低的是哪个镇", engine="extractive")
    assert lowest.answer.startswith("龙江镇：5%—6%（最低）"), lowest.answer  # its low end, 5%, is the lowest
    which = session.ask("湖北和江苏哪个2025年地区生产总值高", engine="extractive")
    assert which.answer.startswith("江苏省：13.9万亿元（最高）；湖北省：6.3万亿元"), which.answer


def test_compare_a_and_b_answers_with_the_table(session: Session) -> None:
    answer = session.ask("比较石湾和龙江的2026年GDP增长目标", engine="extractive")
    assert answer.status == "answered" and "最高" not in answer.answer
    assert {r.place for r in answer.comparison} == {"石湾镇", "龙江镇"}
    assert "石湾镇：7%左右" in answer.answer and "龙江镇：5%—6%" in answer.answer
    assert len(answer.citations) == 2


def test_each_town_respectively_answers_every_town(session: Session) -> None:
    answer = session.ask("各镇2026年GDP增长目标分别是多少", engine="extractive")
    assert {r.place for r in answer.comparison} == {"石湾镇", "龙江镇", "九江镇"}
    assert "九江镇：未找到" in answer.answer and "石湾镇：7%左右" in answer.answer


def test_a_figure_no_place_states_is_not_found(session: Session) -> None:
    answer = session.ask("哪个镇2030年GDP增长目标最高", engine="extractive")
    assert answer.status == "not_found" and not answer.citations
    assert answer.comparison and all(r.status == "not_found" for r in answer.comparison)
    assert session.ask("比较石湾和龙江的2030年GDP增长目标", engine="extractive").status == "not_found"


@pytest.mark.parametrize("question", ["石湾2026年GDP增长目标", "石湾2025年地区生产总值和增速分别是多少", "湖北省各地区要做什么"])
def test_ordinary_questions_are_not_comparisons(session: Session, question: str) -> None:
    assert session.ask(question, engine="extractive").comparison == []


# ---- the CLI ----------------------------------------------------------------------------------------------


def test_cli_table_csv_out_and_json_rows(session: Session, tmp_path: Path) -> None:
    shown = invoke(session, "compare", TARGET, "--no-sync", "--engine", "extractive", "--sort", "value")
    assert shown.exit_code == 0, shown.output
    assert "石湾镇" in shown.stdout and "not_found" in shown.stdout and "5%—6%" in shown.stdout
    target = tmp_path / "out" / "targets.csv"
    target.parent.mkdir()
    written = invoke(session, "compare", TARGET, "--no-sync", "--engine", "extractive", "--out", str(target))
    assert written.exit_code == 0 and target.exists()
    assert len(list(csv.DictReader(target.open(encoding="utf-8")))) == 5
    assert [p.name for p in target.parent.iterdir()] == ["targets.csv"]  # written atomically: no temp file left
    rows = invoke(session, "compare", TARGET, "--no-sync", "--engine", "extractive", "--level", "省", "--json")
    library = session.compare(TARGET, level="省", engine="extractive")
    assert json.loads(rows.stdout) == [r.model_dump(mode="json") for r in library]


def test_cli_reads_the_question_from_stdin_and_exits_3_when_no_row_is_answered(session: Session) -> None:
    stdin = invoke(session, "compare", "-", "--no-sync", "--engine", "extractive", "--format", "md", stdin=TARGET + "\n")
    assert stdin.exit_code == 0 and stdin.stdout.startswith("| place |") and "7%左右" in stdin.stdout
    none = invoke(session, "compare", "2030年GDP增长目标", "--no-sync", "--engine", "extractive", "--format", "csv")
    assert none.exit_code == 3
    assert none.stdout.count("not_found") == 5  # every row is still printed


def test_cli_help_documents_the_exit_codes() -> None:
    shown = CliRunner().invoke(app, ["compare", "--help"])
    assert shown.exit_code == 0
    assert "0 some row answered, 3 no row answered, 2 usage error" in " ".join(shown.stdout.split())


def test_ask_prints_the_comparison_table(session: Session) -> None:
    shown = invoke(session, "ask", "哪个镇2026年GDP增长目标最高", "--no-sync", "--engine", "extractive")
    assert shown.exit_code == 0
    assert "石湾镇：7%左右（最高）" in shown.stdout and "quote" in shown.stdout and "not_found" in shown.stdout
    as_json = invoke(session, "ask", "哪个镇2026年GDP增长目标最高", "--no-sync", "--engine", "extractive", "--json")
    assert [r["place"] for r in json.loads(as_json.stdout)["comparison"]] == ["石湾镇", "龙江镇", "九江镇"]


@pytest.mark.parametrize(("args", "words"), [(["--place", "火星"], "unknown place '火星'"),
                                             (["--sort", "size"], "bad --sort 'size'"),
                                             (["--out", "x.csv", "--format", "table"], "--out writes csv, json or md")])
def test_cli_usage_errors_are_one_line_exit_2(session: Session, args: list[str], words: str, tmp_path: Path) -> None:
    r = cli("compare", TARGET, "--no-sync", *args, env=cli_env(session.settings.home, **env_for(session)),
            cwd=tmp_path)
    assert r.code == 2, r.stderr
    [line] = r.lines()
    assert line.startswith("error: ") and words in line


# ---- the eval's compare cases -----------------------------------------------------------------------------


def _case(rows: dict[str, list[str]], question: str = TARGET, **extra: Any) -> EvalCase:
    return EvalCase(id="c1", question=question, kind="compare", rows=rows, **extra)


def test_a_compare_case_checks_every_expected_row(session: Session) -> None:
    from ragtool.compare import answer_question

    answer = answer_question(session, TARGET, engine="extractive", force=True)
    assert answer is not None
    good = check_answer(_case({"石湾": ["7%左右"], "湖北": ["5%—5.5%"], "九江": []}), answer)
    assert good.passed and (good.rows, good.rows_right) == (3, 3) and good.rows_not_found == ["九江"]
    bad = check_answer(_case({"石湾": ["7%左右"], "湖北": ["5.5%左右"], "九江": ["3%"], "黄山": ["1%"]}), answer)
    assert not bad.passed and (bad.rows, bad.rows_right) == (4, 1)
    assert any(w.startswith("湖北") for w in bad.rows_wrong) and any(w.startswith("黄山 (no row)") for w in bad.rows_wrong)
    results = [CaseResult(id="a", question="q", kind="compare", passed=good.passed, rows=good.rows,
                          rows_right=good.rows_right, rows_not_found=good.rows_not_found),
               CaseResult(id="b", question="q", kind="compare", passed=bad.passed, rows=bad.rows,
                          rows_right=bad.rows_right, rows_not_found=bad.rows_not_found)]
    metrics = compute_metrics(results)
    assert metrics.row_accuracy == round(4 / 7, 4) and metrics.rows_not_found == 2 and metrics.hit_at_1 is None


def test_a_row_quoting_another_document_is_wrong(session: Session) -> None:
    from ragtool.compare import answer_question

    answer = answer_question(session, TARGET, engine="extractive", force=True)
    assert answer is not None
    shiwan = next(r for r in answer.comparison if r.place == "石湾镇")
    other = next(r for r in answer.comparison if r.place == "龙江镇")
    shiwan.citations = other.citations
    checked = check_answer(_case({"石湾": ["7%左右"]}), answer)
    assert not checked.passed and "quotes another document" in checked.rows_wrong[0]


def test_compare_cases_need_rows_and_only_they_have_rows() -> None:
    with pytest.raises(ValueError, match="compare cases need rows"):
        _case({})
    with pytest.raises(ValueError, match="only compare cases have rows"):
        EvalCase(id="n1", question="q", kind="number", must_include=["5%"], rows={"石湾": ["5%"]})


def test_each_row_is_what_asking_that_document_alone_answers(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A comparison reads its places' documents in one batch and embeds its question once; each row is still what
    the ordinary question asked of that one document answers (a fresh Session, so neither shares the other's caches)."""
    rows = session_over(tmp_path_factory, REPORTS).compare(TARGET, engine="extractive")
    alone = session_over(tmp_path_factory, REPORTS)
    for row in rows:
        answer = alone.ask(row.question, engine="extractive", doc=row.doc_id)
        assert (answer.status == "not_found", answer.answer if row.status != "not_found" else "") == (
            row.status == "not_found", row.value), row.place


def test_a_comparison_embeds_its_question_once(session: Session) -> None:
    """Every place's row is ranked with the one embedding of the question without its place names."""
    asked: list[str] = []
    embedder = session.corpus.embedder
    session.retriever._queries.clear()
    real = embedder.embed_query
    embedder.embed_query = lambda text: asked.append(text) or real(text)  # type: ignore[method-assign]
    try:
        rows = session.compare("2026年地区生产总值增长目标", engine="extractive")
    finally:
        embedder.embed_query = real  # type: ignore[method-assign]
    assert len(rows) == 5 and len(asked) == 1 and not any(r.place and r.place in asked[0] for r in rows)
