"""One Chinese text layer: sentences, headings, numerals, dates, script, quantities, places."""
