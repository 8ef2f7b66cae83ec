"""ragtool: answers and structured summaries over Chinese local-government documents, with proof."""

__version__ = "0.1.0"
