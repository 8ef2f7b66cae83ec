"""The punctuation that ends sentences and clauses (text is half-width after cleaning; both forms are listed)."""

TERMINAL = "。！？!?"  # end a sentence
CLOSERS = "”’\"'』」)）]》"  # belong to the sentence they close
CLAUSE_MARKS = "，,；;：:"  # end a clause
LINE_END = TERMINAL + "；;：:"  # a line ending in one of these ends its sentence at the line break
QUOTE_MARKS = "“”‘’\"'「」『』"  # quotation marks (a model rewrites “3个100万” as ‘3个100万’, or moves them)
