"""Answer engines: extractive (offline) and llm, behind one interface."""
