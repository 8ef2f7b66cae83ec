"""The gazetteer is built once per version of gazetteer.csv and places.toml and kept in RAGTOOL_HOME/cache: a later
process reads it from there, and an edited data file (RAGTOOL_DATA_DIR) is seen at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ragtool.config import Settings
from ragtool.zh import gazetteer
from ragtool.zh.gazetteer import GAZETTEER_FILE, PLACES_FILE, load_gazetteer

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    for name in (GAZETTEER_FILE, PLACES_FILE):
        shutil.copy(REPO / "ragtool" / "data" / name, data / name)
    gazetteer._load.cache_clear()  # as a new process
    return Settings(home=tmp_path / "home", data_dir=data, embedder="hash")


def new_process() -> None:
    gazetteer._load.cache_clear()


def saved(settings: Settings) -> list[Path]:
    return sorted((settings.home / "cache").glob("gazetteer-*.pickle"))


def test_a_later_process_reads_the_saved_gazetteer_without_building_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = load_gazetteer(settings)
    assert len(saved(settings)) == 1
    new_process()

    def no_build(path: Path) -> list[gazetteer.Place]:
        raise AssertionError("gazetteer.csv read again")

    monkeypatch.setattr(gazetteer, "read_gazetteer_csv", no_build)
    again = load_gazetteer(settings)
    assert again.places == built.places and again.forms == built.forms and again.weak == built.weak
    assert [p.name for p in again.chain("320412000000")] == ["江苏省", "常州市", "武进区"]
    assert [code for _, code in again.resolve(again.mentions("常州市武进区"))][-1] == "320412000000"


def test_an_edited_data_file_is_read_and_its_gazetteer_saved_in_place_of_the_old_one(settings: Settings) -> None:
    assert "白鹭湾区" not in load_gazetteer(settings).forms
    before = saved(settings)
    assert settings.data_dir is not None
    csv = settings.data_dir / GAZETTEER_FILE
    csv.write_text(csv.read_text("utf-8") + "320499000000,白鹭湾区\n", encoding="utf-8")
    new_process()
    edited = load_gazetteer(settings)
    assert [p.name for p in edited.chain("320499000000")] == ["江苏省", "常州市", "白鹭湾区"]
    assert "白鹭湾" in edited.forms
    assert len(saved(settings)) == 1 and saved(settings) != before


def test_a_damaged_saved_gazetteer_is_built_again(settings: Settings) -> None:
    places = load_gazetteer(settings).places
    (path,) = saved(settings)
    path.write_bytes(b"\x80\x05garbage")
    new_process()
    assert load_gazetteer(settings).places == places
    new_process()
    assert load_gazetteer(settings).places == places  # and saved whole again
    assert path.read_bytes() != b"\x80\x05garbage"
