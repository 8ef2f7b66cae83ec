"""Command-line interface: a thin layer over ragtool.api and the pipeline modules."""
