"""Run a labelled suite: ingest its corpus into a private index, ask every case, score and measure."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from ragtool.answer.grounding import Grounding, citation_grounded
from ragtool.api import Session
from ragtool.compare import answer_question
from ragtool.config import PACKAGE_DIR, Settings
from ragtool.datafiles import tomllib
from ragtool.errors import IndexBusyError, ProviderError, RagtoolError, StoreError, UsageError
from ragtool.eval.cases import EvalCase, load_cases, select
from ragtool.eval.check import check_answer
from ragtool.eval.metrics import compute_metrics, first_rank, grouped_metrics
from ragtool.eval.results import CaseResult, EvalRun, SummaryEval
from ragtool.models import Answer, RetrievedChunk
from ragtool.zh.textnorm import fold_ws

Progress = Callable[[int, int], None]  # (cases done, cases total)
SUMMARY_FACTS = "summary_facts.jsonl"


def suite_name(cases_path: Path) -> str:
    """A stable suite name from the cases file: 'evals/seeds', 'devcorpus/qa'."""
    return f"{cases_path.resolve().parent.name}/{cases_path.stem}"


SUITE_FILE = "suite.toml"


def resolve_corpus(cases_path: Path, corpus: Path | None, settings: Settings) -> list[Path]:
    """--corpus, else the folders a suite.toml beside the cases file names, else docs/ beside it, else the corpus.

    A suite.toml (`corpus = ["docs", "../provincial/docs"]`, relative to its folder) asks a suite among other
    documents: the city suite is asked beside the provincial reports, which must not answer a city's question.
    """
    if corpus is not None:
        chosen = [corpus]
    elif (cases_path.parent / SUITE_FILE).is_file():
        chosen = [cases_path.parent / rel for rel in _suite_folders(cases_path.parent / SUITE_FILE)]
    elif (cases_path.parent / "docs").is_dir():
        chosen = [cases_path.parent / "docs"]
    else:
        chosen = [settings.corpus]
    for folder in chosen:
        if not folder.is_dir():
            raise UsageError(f"eval corpus folder not found: {folder} (use --corpus DIR)")
    return [folder.resolve() for folder in chosen]


def _suite_folders(path: Path) -> list[str]:
    try:
        folders = tomllib.loads(path.read_text(encoding="utf-8")).get("corpus")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"cannot read {path}: {e}") from e
    if not isinstance(folders, list) or not folders or not all(isinstance(f, str) for f in folders):
        raise UsageError(f"{path}: `corpus` must be a list of folders, e.g. corpus = [\"docs\"]")
    return folders


def check_sources(cases: list[EvalCase], corpus_dirs: list[Path]) -> None:
    """Every file a case names must be in a corpus folder."""
    present = {p.name for folder in corpus_dirs for p in folder.rglob("*") if p.is_file()}
    missing = sorted({s for c in cases for s in c.sources if s not in present})
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        where = ", ".join(str(f) for f in corpus_dirs)
        raise UsageError(f"cases name documents not in {where}: {shown} (use --corpus DIR)")


def suite_settings(settings: Settings, corpus_dirs: list[Path]) -> Settings:
    """Settings whose index lives under <home>/evals/<corpus>-<hash>, apart from the user's corpus."""
    key = "\n".join(str(f) for f in corpus_dirs)  # one folder: the same index path as before suite.toml
    first = corpus_dirs[0]
    name = first.name if len(corpus_dirs) == 1 else first.parent.name
    slug = f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
    return settings.model_copy(
        update={"home": settings.home / "evals" / slug, "corpus": first, "collection": f"{settings.collection}_eval_{slug}"}
    )


def ingest_fingerprint(settings: Settings) -> str:
    """Changes whenever ingest would produce other chunks: settings, data files, ingest code."""
    h = hashlib.sha256()
    for part in (settings.embedder, settings.embed_model, settings.chunk_tokens, settings.chunk_overlap_sentences):
        h.update(f"{part}\n".encode())
    folders = [PACKAGE_DIR / "data", PACKAGE_DIR / "ingest", PACKAGE_DIR / "zh"]  # zh: sentences, headings
    if settings.data_dir is not None:
        folders.append(settings.data_dir)
    for folder in folders:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.is_file() and path.suffix in {".py", ".toml", ".txt"}:
                h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def prepare_index(esettings: Settings, corpus_dirs: list[Path]) -> None:
    """Ingest the suite's corpus; rebuilt from scratch when the ingest fingerprint changed."""
    from ragtool.ingest.pipeline import ingest_paths

    stamp = esettings.home.with_suffix(".fingerprint")
    fingerprint = ingest_fingerprint(esettings)
    old = stamp.read_text(encoding="utf-8").strip() if stamp.exists() else None
    report = ingest_paths(list(corpus_dirs), esettings, reset=old is not None and old != fingerprint)
    if report.skipped:
        first = report.skipped[0]
        raise UsageError(f"eval corpus file could not be ingested: {first.path}: {first.reason}")
    try:
        stamp.write_text(fingerprint, encoding="utf-8")
    except OSError as e:
        raise StoreError(f"cannot write {stamp}: {e.strerror or e}") from e


class CaseRunner:
    """Asks cases through one Session and scores the answers."""

    def __init__(self, session: Session, engine: str, top_k: int | None, use_cache: bool) -> None:
        self.session = session
        self.engine = engine
        self.top_k = top_k
        self.use_cache = use_cache
        self._texts: dict[str, str] = {}
        self.grounding = Grounding.load(session.settings)

    def doc_text(self, doc_id: str) -> str:
        """The cited document's text as quote verification compares it (half-width, no whitespace)."""
        if doc_id not in self._texts:
            doc = self.session.corpus.get_document(doc_id)
            self._texts[doc_id] = fold_ws(doc.text) if doc else ""
        return self._texts[doc_id]

    def run(self, case: EvalCase) -> tuple[CaseResult, Answer | None]:
        result = CaseResult(
            id=case.id, question=case.question, kind=case.kind, tags=case.tags, expected=case.answer,
            must_include=case.must_include, sources=case.sources,
        )
        t0 = time.perf_counter()
        try:
            answer, hits = self._ask(case)
        except ProviderError as e:
            result.error = str(e)
            result.seconds = round(time.perf_counter() - t0, 4)
            return result, None
        except (StoreError, IndexBusyError):
            raise
        except RagtoolError as e:  # e.g. a question the tool rejects: that case fails, the run goes on
            result.passed, result.reason = False, f"error: {e}"
            result.seconds = round(time.perf_counter() - t0, 4)
            return result, None
        result.seconds = round(time.perf_counter() - t0, 4)
        self._fill(result, case, answer, hits)
        return result, answer

    def _ask(self, case: EvalCase) -> tuple[Answer, list[RetrievedChunk]]:
        if case.kind == "compare":  # one row per place: the comparison ask routes to, or a table over every place
            answer = answer_question(self.session, case.question, engine=self.engine,  # type: ignore[arg-type]
                                     top_k=self.top_k, use_cache=self.use_cache, force=True)
            assert answer is not None
            return answer, []
        return self.session.ask_with_context(
            case.question, engine=self.engine, top_k=self.top_k, use_cache=self.use_cache  # type: ignore[arg-type]
        )

    def _fill(self, result: CaseResult, case: EvalCase, answer: Answer, hits: list[RetrievedChunk]) -> None:
        checked = check_answer(case, answer)
        result.passed, result.reason, result.missing = checked.passed, checked.reason, checked.missing
        result.rows, result.rows_right = checked.rows, checked.rows_right
        result.rows_not_found, result.rows_wrong = checked.rows_not_found, checked.rows_wrong
        result.status, result.engine = answer.status, answer.engine
        result.got = answer.answer
        result.candidates = [c.value for c in answer.candidates]
        retrieved: list[str] = []
        for h in hits:
            name = Path(h.meta.source).name if h.meta.source else h.meta.doc_id
            if name not in retrieved:
                retrieved.append(name)
        result.retrieved = retrieved
        result.rank = first_rank(retrieved, case.sources) if case.answerable else None
        result.citations = len(answer.citations)
        result.cited = [Path(c.path or c.source).name if (c.path or c.source) else c.doc_id for c in answer.citations]
        result.valid_citations = sum(
            1 for c in answer.citations if fold_ws(c.quote) and fold_ws(c.quote) in self.doc_text(c.doc_id)
        )
        valid = [c for c in answer.citations if fold_ws(c.quote) and fold_ws(c.quote) in self.doc_text(c.doc_id)]
        result.grounded_citations = sum(1 for c in valid if citation_grounded(answer, c, self.grounding))
        result.tokens = answer.usage.total_tokens
        result.llm_calls, result.cached_calls = answer.usage.calls, answer.usage.cached_calls


def run_suite(
    settings: Settings,
    cases_path: Path,
    *,
    corpus: Path | None = None,
    engine: str = "extractive",
    top_k: int | None = None,
    label: str | None = None,
    use_cache: bool = True,
    judge: bool = False,
    summaries: bool = True,
    progress: Progress | None = None,
) -> EvalRun:
    """Run every (selected) case of a suite and compute its metrics."""
    t0 = time.perf_counter()
    cases = select(load_cases(cases_path), label)
    corpus_dirs = resolve_corpus(cases_path, corpus, settings)
    check_sources(cases, corpus_dirs)
    if judge and not settings.llm_configured:
        raise UsageError("--judge needs an LLM: set OPENAI_BASE_URL or OPENAI_API_KEY")
    esettings = suite_settings(settings, corpus_dirs)
    prepare_index(esettings, corpus_dirs)
    session = Session(esettings, sync=False)
    runner = CaseRunner(session, engine, top_k, use_cache)
    judge_fn = _judge(esettings, use_cache) if judge else None
    results: list[CaseResult] = []
    for n, case in enumerate(cases):
        result, answer = runner.run(case)
        if judge_fn is not None and case.free_text and answer is not None:
            judge_fn(case, answer, result)
        results.append(result)
        if progress:
            progress(n + 1, len(cases))
    run = EvalRun(
        suite=suite_name(cases_path), engine=engine, embedder=_embedder_label(settings),
        top_k=top_k or settings.top_k, filter=label, corpus=", ".join(str(f) for f in corpus_dirs),
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"), cases=results,
    )
    run.metrics = compute_metrics(results)
    run.per_kind = grouped_metrics(results, lambda r: [r.kind])
    run.per_tag = grouped_metrics(results, lambda r: r.tags)
    facts_path = cases_path.parent / SUMMARY_FACTS
    if summaries and label is None and facts_path.exists() and any(c.kind != "compare" for c in cases):
        from ragtool.eval.summary import evaluate_summaries

        run.summary = evaluate_summaries(session, facts_path, engine, use_cache)
        run.metrics.summary_recall = run.summary.recall
    else:
        why = " (--filter)" if label else " (compare cases only)" if cases and all(c.kind == "compare" for c in cases) else ""
        run.summary = SummaryEval(message="summaries not checked" + why)
    run.seconds = round(time.perf_counter() - t0, 3)
    return run


def _embedder_label(settings: Settings) -> str:
    return f"openai:{settings.embed_model}" if settings.embedder == "openai" else settings.embedder


def _judge(settings: Settings, use_cache: bool) -> Callable[[EvalCase, Answer, CaseResult], None]:
    from ragtool.eval.judge import Judge

    return Judge(settings, use_cache).score
