"""The parts of the engine a case line can't express: each document's level, --explain's weighed candidates,
scoring.toml as a data file and the CLI's printout. The questions and answers are in tests/cases/engine.toml, whose
documents these tests index too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import tomllib
from corpora import session_over
from faultkit import cli, cli_env

from ragtool.api import Session
from ragtool.config import PACKAGE_DIR
from ragtool.eval.normalize import contains

CASES = Path(__file__).parent / "cases" / "engine.toml"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    docs = tomllib.loads(CASES.read_text(encoding="utf-8"))["documents"]
    return session_over(tmp_path_factory, {d["name"]: d["text"] for d in docs})


def test_a_province_and_a_town_are_places_of_their_levels(session: Session) -> None:
    docs = {m.place: m for m in session.corpus.documents()}
    assert docs["湖北省"].level == "省" and docs["石湾镇"].level == "镇"


def test_explain_lists_the_weighed_candidates_with_their_features(session: Session) -> None:
    answer = session.ask("湖北2026年GDP增长目标?", engine="extractive", explain=True)
    assert answer.explanation
    best = answer.explanation[0]
    assert contains(best.value, "5%—5.5%") and not best.vetoed
    assert {"time", "role", "words", "rank"} <= set(best.features)
    plan = [c for c in answer.explanation if contains(c.value, "5.5%左右")]
    assert plan and all(c.vetoed == "time" for c in plan)  # the 十五五 average is vetoed by its time frame


def test_scoring_weights_are_a_data_file_users_can_edit(session: Session, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(PACKAGE_DIR / "data" / "scoring.toml", data / "scoring.toml")
    text = (data / "scoring.toml").read_text(encoding="utf-8").replace("min_score = 2.0", "min_score = 1000.0")
    (data / "scoring.toml").write_text(text, encoding="utf-8")
    strict = Session(session.settings.model_copy(update={"data_dir": data}), sync=False)
    assert session.ask("湖北2026年GDP增长目标?", engine="extractive").status == "answered"
    assert strict.ask("湖北2026年GDP增长目标?", engine="extractive").status == "not_found"


def test_the_cli_prints_the_assumed_place_and_the_weighed_candidates(session: Session) -> None:
    env = cli_env(session.settings.home, RAGTOOL_CORPUS=str(session.settings.corpus))
    r = cli("ask", "石弯2025年GDP多少", "--explain", env=env)
    assert r.code == 0, r.stderr
    assert "312.5亿元" in r.stdout and "note:" in r.stdout and "石湾" in r.stdout
    assert "candidates (score, veto, features)" in r.stdout and "time=" in r.stdout
    data = json.loads(cli("ask", "湖北2026年GDP增长目标?", "--explain", "--json", env=env).stdout)
    assert data["explanation"] and {"time", "role"} <= set(data["explanation"][0]["features"])
