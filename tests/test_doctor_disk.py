"""`ragtool doctor` checks that RAGTOOL_HOME takes a write and has room (issue 22, low items): on a full disk it
fails where `ask` would, instead of saying ok (real CLI; the full disk is a 2 MiB tmpfs, skipped where mounting
is not allowed)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultkit import cli, cli_env, tally


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _home_check(env: dict[str, str]) -> dict[str, object]:
    run = cli("doctor", "--json", env=env)
    return next(c for c in json.loads(run.stdout) if c["check"] == "home") | {"exit": run.code}


def test_doctor_fails_on_a_full_disk(tiny_disk: Path) -> None:
    home = tiny_disk / "home"
    home.mkdir()
    env = cli_env(home)
    ok = _home_check(env)
    assert ok["ok"] is False and "free" in str(ok["detail"])  # 2 MiB is below the 64 MiB doctor wants

    with (tiny_disk / "filler").open("wb") as f:  # now really full
        try:
            while True:
                f.write(bytes(65536))
        except OSError:
            pass
    full = _home_check(env)
    tally(faults=1)
    assert full["ok"] is False and full["exit"] == 1


def test_doctor_says_the_home_is_writable_with_its_free_space(tmp_path: Path) -> None:
    check = _home_check(cli_env(tmp_path / "home"))
    assert check["ok"] is True and "writable" in str(check["detail"]) and "GiB free" in str(check["detail"])


def test_doctor_fails_when_the_home_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    check = _home_check(cli_env(blocker / "home"))
    assert check["ok"] is False
