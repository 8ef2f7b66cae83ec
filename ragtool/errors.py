"""User-facing errors. Each carries the process exit code the CLI uses (see README)."""

from __future__ import annotations


class ExitCode:
    OK = 0
    FAILURE = 1
    USAGE = 2
    NOT_FOUND = 3
    PARTIAL = 4  # some input files or documents were skipped or failed
    BUSY = 5  # the index is locked by another process
    STORE = 6  # the index or its home cannot be read or written, or needs a rebuild
    PROVIDER = 7  # the LLM or embedding server failed
    REGRESSION = 8  # eval --check found a quality regression


class RagtoolError(Exception):
    """An error with a one-line message meant for the user."""

    exit_code = ExitCode.FAILURE


class UsageError(RagtoolError):
    exit_code = ExitCode.USAGE


class IndexBusyError(RagtoolError):
    exit_code = ExitCode.BUSY


class StoreError(RagtoolError):
    exit_code = ExitCode.STORE


class ProviderError(RagtoolError):
    exit_code = ExitCode.PROVIDER


class LoadError(RagtoolError):
    """A single input file could not be loaded; ingest skips it and goes on."""

    exit_code = ExitCode.PARTIAL


class DamagedStoreError(StoreError):
    """A file of the index is damaged; `ragtool doctor --repair` moves it aside and rebuilds."""

    def __init__(self, path: object, why: str) -> None:
        self.path = str(path)
        super().__init__(
            f"index file {path} is damaged ({why}): run `ragtool doctor --repair` to move the damaged index aside "
            "and rebuild it from the source files"
        )
