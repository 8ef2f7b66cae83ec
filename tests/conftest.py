"""Shared fixtures: settings on a temp RAGTOOL_HOME with the hash embedder, and the seed corpus."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from chroma_server import TEST_URL_VAR, drop_collections, unique_collection

from ragtool.config import Settings

# A run started in the background of a script ignores Ctrl-C, and the processes it starts would inherit that: the
# Ctrl-C tests' ingests would never be interrupted. Their signal is the subject, so it is restored here.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
# The suite waits on subprocesses, servers and a browser as much as it computes: 4 workers pay on 2 cores.
WORKERS = 4
SEEDS = REPO / "seeds"
DEVCORPUS = REPO / "evals" / "devcorpus"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject): PYTEST_XDIST_AUTO_NUM_WORKERS if set, else WORKERS for the whole suite (a `-k`
    selection included) and none for named files or tests, where starting workers costs more than it saves."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    here = config.invocation_params.dir
    named = {(here / arg.split("::")[0]).resolve() for arg in config.args}
    return WORKERS if named <= {TESTS, REPO} else 0


# A module that names one of these starts processes or servers: it is among the slow files.
PROCESS_STARTERS = ("faultkit", "subprocess", "serve_helpers", "from scans import")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow files first (pyproject's --no-loadscope-reorder keeps this order), so the workers end together
    instead of three waiting while the fourth runs the kill tests: a file with `slow` tests, then one that starts
    processes or servers, then the rest. Tests keep their order within a file."""
    rank: dict[Path, int] = {}
    for item in items:
        if item.path not in rank:
            source = item.path.read_text(encoding="utf-8")
            rank[item.path] = 1 if any(name in source for name in PROCESS_STARTERS) else 2
        if item.get_closest_marker("slow"):
            rank[item.path] = 0
    items.sort(key=lambda item: rank[item.path])


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In CI (CI=true) a skipped test fails the run, and so does a run pointed at a Chroma server in which no
    [chroma-server] variant passed: a missing browser, font or server must not pass unseen."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if (os.environ.get("CI") != "true" or hasattr(session.config, "workerinput") or reporter is None
            or session.exitstatus != pytest.ExitCode.OK):
        return
    skipped = reporter.stats.get("skipped", [])
    on_server = [r for r in reporter.stats.get("passed", []) if "chroma-server" in r.nodeid]
    if skipped:
        reporter.write_sep("=", f"CI: {len(skipped)} skipped, and every test must run in CI (reasons below)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif os.environ.get(TEST_URL_VAR) and not on_server:
        reporter.write_sep("=", f"CI: {TEST_URL_VAR} is set but no [chroma-server] test ran", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's environment, ragtool.toml or network settings."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RAGTOOL_CHROMA_URL", "RAGTOOL_HOME", "RAGTOOL_EMBEDDER",
                "RAGTOOL_CORPUS", "RAGTOOL_LLM_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))  # the per-user home, when no ragtool.toml
    monkeypatch.chdir(tmp_path)


# A test module that names one of these reaches the vector store (ingest, ask, eval, summarize, CLI).
INDEX_ENTRY_POINTS = ("ragtool.api", "ragtool.cli", "ragtool.index.corpus", "ragtool.index.store",
                      "ragtool.ingest.pipeline", "ragtool.eval.run", "ragtool.summarize", '"-m", "ragtool"')


def _reaches_index(module: object) -> bool:
    source = Path(getattr(module, "__file__", "") or "")
    return source.is_file() and any(name in source.read_text(encoding="utf-8") for name in INDEX_ENTRY_POINTS)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """With RAGTOOL_TEST_CHROMA_URL set (CI), tests of modules that reach the index run twice, module by
    module: on the embedded store and on that Chroma server (tests asking for `chroma_url` use a server anyway)."""
    if (os.environ.get(TEST_URL_VAR) and "store_backend" in metafunc.fixturenames
            and "chroma_url" not in metafunc.fixturenames and _reaches_index(metafunc.module)
            and metafunc.definition.get_closest_marker("embedded_store") is None):
        metafunc.parametrize("store_backend", ["embedded", "chroma-server"], indirect=True, scope="module")


def _use_server(mp: pytest.MonkeyPatch) -> tuple[str, str]:
    """Point RAGTOOL_CHROMA_URL at the test server, with a fresh collection; returns (url, collection)."""
    url, collection = os.environ[TEST_URL_VAR].rstrip("/"), unique_collection()
    mp.setenv("RAGTOOL_CHROMA_URL", url)
    mp.setenv("RAGTOOL_COLLECTION", collection)
    return url, collection


@pytest.fixture(scope="module", autouse=True)
def store_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """The vector store of this module's tests: "embedded", or "chroma-server", which points every Settings,
    CLI run and subprocess at the shared server. A module-scoped fixture that builds an index should request
    `store_backend`, so it is built once per backend, in a collection of the module's own."""
    backend = getattr(request, "param", "embedded")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RAGTOOL_COLLECTION", raising=False)
        server = _use_server(mp) if backend == "chroma-server" else None
        yield backend
    if server:
        drop_collections(*server)


@pytest.fixture(autouse=True)
def _backend_env(store_backend: str, monkeypatch: pytest.MonkeyPatch, _isolated_env: None) -> Iterator[None]:
    """On the server, each test gets a collection of its own, dropped afterwards."""
    server = _use_server(monkeypatch) if store_backend == "chroma-server" else None
    yield
    if server:
        drop_collections(*server)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", corpus=SEEDS, embedder="hash")


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest
