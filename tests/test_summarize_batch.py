"""`ragtool summarize` over many documents: outputs, resume, failure isolation, atomic writes, Batch API."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, fake_openai  # noqa: F401
from summarize_fakes import chunks_in, map_reply
from typer.testing import CliRunner

from ragtool.cli.main import app
from ragtool.config import Settings
from ragtool.errors import ExitCode
from ragtool.index.corpus import Corpus
from ragtool.ingest.pipeline import ingest_paths

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DEV = REPO / "evals" / "devcorpus" / "docs"


@pytest.fixture
def fake(fake_openai: FakeOpenAI) -> FakeOpenAI:  # noqa: F811
    """The fake OpenAI server (a short name for the shared fixture)."""
    return fake_openai


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """Three documents from different places in a folder."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for path in (next(SEEDS.glob("002_*.txt")), DEV / "014_changqi.txt", DEV / "016_hanbin.txt"):
        shutil.copy(path, folder / path.name)
    return folder


def invoke(args: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> Any:
    base = {"RAGTOOL_HOME": str(tmp_path / "home"), "RAGTOOL_EMBEDDER": "hash"}
    return CliRunner().invoke(app, ["summarize", *args], env={**base, **(env or {})}, catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


def test_json_outputs_then_resume_touches_nothing(tmp_path: Path, docs: Path) -> None:
    out = tmp_path / "out"
    first = invoke([str(docs), "--out", str(out), "--engine", "extractive", "--json"], tmp_path)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert len(report["written"]) == 3 and report["skipped"] == [] and report["failed"] == []
    files = sorted(p.name for p in out.glob("*.json"))
    assert files == sorted(f"{p.stem}.json" for p in docs.iterdir())  # named after the source files
    summaries = [json.loads((out / f).read_text(encoding="utf-8")) for f in files]
    assert {s["engine"] for s in summaries} == {"extractive"}
    assert any(f["value"] == "440.5亿元" for s in summaries for f in s["key_figures"])
    before = snapshot(out)
    again = invoke([str(docs), "--out", str(out), "--engine", "extractive", "--json"], tmp_path)
    assert again.exit_code == 0
    assert json.loads(again.stdout)["written"] == [] and len(json.loads(again.stdout)["skipped"]) == 3
    assert snapshot(out) == before


def test_changed_document_is_redone_alone(tmp_path: Path, docs: Path) -> None:
    out = tmp_path / "out"
    assert invoke([str(docs), "--out", str(out), "--engine", "extractive"], tmp_path).exit_code == 0
    target = docs / "014_changqi.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\n镇长徐彦雄作总结讲话。", encoding="utf-8")
    report = json.loads(invoke([str(docs), "--out", str(out), "--engine", "extractive", "--json"], tmp_path).stdout)
    assert len(report["written"]) == 1 and len(report["skipped"]) == 2


def test_one_bad_document_does_not_stop_the_batch(tmp_path: Path, docs: Path) -> None:
    (docs / "empty.txt").write_text("   \n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke([str(docs), "--out", str(out), "--engine", "extractive", "--json"], tmp_path)
    assert result.exit_code == ExitCode.PARTIAL
    report = json.loads(result.stdout)
    assert len(report["written"]) == 3
    assert [f["doc_id"].endswith("empty.txt") for f in report["failed"]] == [True]
    assert len(list(out.glob("*.json"))) == 3


def test_failed_write_leaves_no_partial_files(tmp_path: Path, docs: Path) -> None:
    out = tmp_path / "out"
    assert invoke([str(docs), "--out", str(out), "--engine", "extractive"], tmp_path).exit_code == 0
    victim = sorted(out.glob("*.json"))[0]
    doc_id = json.loads(victim.read_text(encoding="utf-8"))["doc_id"]
    victim.unlink()
    victim.mkdir()  # the summary cannot replace a folder: that document fails, the others are untouched
    (docs / "014_changqi.txt").write_text("镇长徐彦雄作报告。", encoding="utf-8")
    (docs / "016_hanbin.txt").write_text("代区长 向诗兵\n作报告。", encoding="utf-8")
    result = invoke([str(docs), "--out", str(out), "--engine", "extractive", "--json"], tmp_path)
    assert result.exit_code == ExitCode.PARTIAL
    report = json.loads(result.stdout)
    assert [f["doc_id"] for f in report["failed"]] == [doc_id]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    for path in out.glob("*.json"):
        if path.is_file():
            json.loads(path.read_text(encoding="utf-8"))  # every file is whole


def test_csv_has_one_row_per_key_figure_with_bom(tmp_path: Path, docs: Path) -> None:
    out = tmp_path / "out"
    assert invoke([str(docs), "--out", str(out), "--format", "csv", "--engine", "extractive"], tmp_path).exit_code == 0
    raw = (out / "key_figures.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["doc_id", "place", "date", "kind", "indicator", "value", "unit", "year", "type",
                             "qualifier", "quote", "number", "change"]
    gdp = {(r["place"], r["value"], r["year"], r["type"]) for r in rows if r["indicator"] == "地区生产总值"}
    assert ("凤岗镇", "411亿元", "2024", "actual") in gdp
    assert ("汉滨区", "440.5亿元", "2024", "actual") in gdp
    assert len({r["doc_id"] for r in rows}) == 2  # 长岐镇's news has no figures
    before = snapshot(out)
    assert invoke([str(docs), "--out", str(out), "--format", "csv", "--engine", "extractive"], tmp_path).exit_code == 0
    assert snapshot(out) == before


def test_jsonl_combined_and_markdown_escapes_html(tmp_path: Path) -> None:
    doc = tmp_path / "evil.txt"
    doc.write_text("2025年1月3日,<script>alert(1)</script>镇党委书记张三主持会议。地区生产总值增长5%。", encoding="utf-8")
    out = tmp_path / "out"
    assert invoke([str(doc), "--out", str(out), "--format", "md", "--engine", "extractive"], tmp_path).exit_code == 0
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "张三" in md
    out2 = tmp_path / "out2"
    assert invoke([str(doc), "--out", str(out2), "--format", "jsonl", "--engine", "extractive"], tmp_path).exit_code == 0
    lines = (out2 / "summaries.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["officials"][0]["name"] for line in lines] == ["张三"]


def test_single_document_is_printed_from_the_index(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", embedder="hash")
    ingest_paths([next(SEEDS.glob("002_*.txt"))], settings)
    doc_id = Corpus(settings).documents()[0].doc_id
    result = invoke([doc_id[:8], "--engine", "extractive", "--json"], tmp_path)
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["doc_id"] == doc_id and summary["place"] == "凤岗镇"
    readable = invoke([doc_id, "--engine", "extractive"], tmp_path)
    assert "韩俊峰" in readable.stdout and "411亿元" in readable.stdout


def test_unknown_document_is_a_not_found_error(tmp_path: Path) -> None:
    from ragtool.errors import RagtoolError

    with pytest.raises(RagtoolError) as e:
        invoke(["nosuchdoc", "--engine", "extractive"], tmp_path)
    assert e.value.exit_code == ExitCode.NOT_FOUND


def llm_env(fake: FakeOpenAI) -> dict[str, str]:
    return {"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": fake.api_key, "RAGTOOL_LLM_MODEL": "fake-model",
            "RAGTOOL_LLM_MAX_RETRIES": "0"}


def test_llm_batch_with_concurrency_isolates_a_failing_document(
    tmp_path: Path, docs: Path, fake: FakeOpenAI
) -> None:
    def responder(body: dict[str, Any]) -> Any:
        if any("长岐镇" in text for _, text in chunks_in(body)):
            return "not json at all"
        return map_reply(body)

    fake.responder = responder
    out = tmp_path / "out"
    result = invoke([str(docs), "--out", str(out), "--concurrency", "3", "--json", "--no-cache"], tmp_path,
                    llm_env(fake))
    assert result.exit_code == ExitCode.PARTIAL, result.output
    report = json.loads(result.stdout)
    assert report["engine"] == "llm" and len(report["written"]) == 2 and len(report["failed"]) == 1
    assert "valid" in report["failed"][0]["error"]
    assert report["usage"]["calls"] >= 2


def test_batch_api_round_trip(tmp_path: Path, docs: Path, fake: FakeOpenAI) -> None:
    fake.responder = map_reply
    out = tmp_path / "out"
    args = [str(docs), "--out", str(out), "--batch-api", "--poll-interval", "0.01", "--json"]
    result = invoke(args, tmp_path, llm_env(fake))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["written"]) == 3 and report["prompt_version"].endswith("+batch-merge")
    paths = [r.path for r in fake.requests]
    assert "/v1/files" in paths and "/v1/batches" in paths
    batch = next(iter(fake.batches.values()))
    assert batch["endpoint"] == "/v1/chat/completions" and batch["completion_window"] == "24h"
    uploaded = fake.files[batch["input_file_id"]]
    assert uploaded["object"]["purpose"] == "batch"
    lines = [json.loads(line) for line in uploaded["content"].decode("utf-8").splitlines()]
    assert all(line["url"] == "/v1/chat/completions" and ":map:" in line["custom_id"] for line in lines)
    for path in out.glob("*.json"):
        summary = json.loads(path.read_text(encoding="utf-8"))
        assert summary["engine"] == "llm" and summary["priorities"]
    before = snapshot(out)
    again = invoke(args, tmp_path, llm_env(fake))
    assert json.loads(again.stdout)["written"] == [] and snapshot(out) == before
    assert len(fake.batches) == 1  # nothing was resubmitted


def test_batch_file_only_then_results_file(tmp_path: Path, docs: Path, fake: FakeOpenAI) -> None:
    batch_file = tmp_path / "requests.jsonl"
    result = invoke([str(docs), "--batch-file-only", str(batch_file)], tmp_path, llm_env(fake))
    assert result.exit_code == 0
    requests = [json.loads(line) for line in batch_file.read_text(encoding="utf-8").splitlines()]
    assert requests and all(r["method"] == "POST" and r["body"]["model"] == "fake-model" for r in requests)
    assert fake.requests == []  # nothing sent
    # answer it as a batch runner would (vLLM run_batch writes the same output lines)
    output = tmp_path / "results.jsonl"
    output.write_text("".join(json.dumps({"custom_id": r["custom_id"], "error": None, "response": {
        "status_code": 200, "body": {"choices": [{"message": {"content": json.dumps(map_reply(r["body"]))}}]}}})
        + "\n" for r in requests), encoding="utf-8")
    out = tmp_path / "out"
    done = invoke([str(docs), "--out", str(out), "--batch-results", str(output), "--json"], tmp_path,
                  llm_env(fake))
    assert done.exit_code == 0, done.output
    assert len(json.loads(done.stdout)["written"]) == 3


def test_an_edited_file_keeps_its_summary_file_name(tmp_path: Path, docs: Path) -> None:
    out = tmp_path / "out"
    assert invoke([str(docs), "--out", str(out), "--engine", "extractive"], tmp_path).exit_code == 0
    target = docs / "014_changqi.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\n补充说明:本报告已修订。\n", encoding="utf-8")
    assert invoke([str(docs), "--out", str(out), "--engine", "extractive"], tmp_path).exit_code == 0
    assert sorted(p.name for p in out.glob("*.json")) == sorted(f"{p.stem}.json" for p in docs.iterdir())
    manifest = json.loads((out / ".ragtool-manifest").read_text(encoding="utf-8"))
    summary = json.loads((out / "014_changqi.json").read_text(encoding="utf-8"))
    assert summary["doc_id"] in manifest["docs"]  # the summary of the edited text, under the same name


def test_format_is_honoured_on_stdout(tmp_path: Path, docs: Path) -> None:
    csv_out = invoke([str(docs / "002_6efbc55a5a395691.txt"), "--engine", "extractive", "--format", "csv"], tmp_path)
    assert csv_out.exit_code == 0
    header, first = csv_out.stdout.splitlines()[:2]
    assert header.startswith("doc_id,place,date,kind,indicator,value,unit") and header.endswith("number,change")
    assert "地区生产总值,411亿元,亿元" in csv_out.stdout and first.count(",") >= 12
    jsonl = invoke([str(docs), "--engine", "extractive", "--format", "jsonl"], tmp_path)
    assert [json.loads(line)["engine"] for line in jsonl.stdout.splitlines()] == ["extractive"] * 3
    md = invoke([str(docs / "016_hanbin.txt"), "--engine", "extractive", "--format", "md"], tmp_path)
    assert md.stdout.startswith("# ") and "doc_id" in md.stdout
