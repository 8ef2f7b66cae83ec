"""LLM access through the openai SDK: prompts, structured output, retries, on-disk cache."""
