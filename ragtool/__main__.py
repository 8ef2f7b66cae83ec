"""`python -m ragtool`: the same as the `ragtool` command."""

from ragtool.cli.main import run

if __name__ == "__main__":
    run()
