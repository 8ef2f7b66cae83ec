"""Answer-span patterns: enumerations, what-phrases and dates (values are read by ragtool.zh.quantity).

Generic Chinese report grammar; officials' names are found by ragtool.zh.officials.
"""

from __future__ import annotations

import re

from ragtool.zh.words import WordRules, snap

BOOK_TITLE = re.compile(r"《([^》]{2,80})》")
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,60})[”\"」』]")
CLAUSE_END = "，,；;：:。！？!?\n"


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the clause (between ，；：。) around pos."""
    start = pos
    while start > 0 and text[start - 1] not in CLAUSE_END:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in CLAUSE_END:
        end += 1
    return start, end


# “两新”:指…, “两新”(名词解释):…, “产业链改造”是指…
GLOSSARY_ENTRY = re.compile(r"[“\"「『]([^”\"」』]{1,20})[”\"」』](?:[^，,。；;“”]{0,12}?[：:]\s*(?:是指|指)?|是指|指的是)")


def list_spans(text: str, words: WordRules | None = None) -> list[tuple[int, int, str]]:
    """Every list-like span in a sentence, with how it was found:
    'cue' items after 包括/分别是/即/：; 'quoted' “A、B、C”; 'run' A、B、C (its ends moved to word boundaries)."""
    out: list[tuple[int, int, str]] = []
    for m in re.finditer(r"(?:包括|包含|分别是|分别为|主要有|即|：|:)", text):
        stops = [i for i in (text.find(c, m.end()) for c in "。；;\n") if i >= 0]
        end = min(stops) if stops else len(text)
        if re.search(r"[、，,]", text[m.end() : end]) and end - m.end() <= 120:
            out.append((m.end(), end, "cue"))
    for m in QUOTED.finditer(text):
        if re.search(r"[、，,—]", m.group(1)):  # “世界领军企业—行业头部企业—行业知名企业”三级培育库
            out.append((m.start(1), m.end(1), "quoted"))
    for m in re.finditer(r"[\u4e00-\u9fff“”\d]{2,20}(?:、\s?[\u4e00-\u9fff“”\d]{2,20})+", text):
        start, end = snap(text, m.start(), m.end(), words) if words else m.span()
        out.append((start, end, "run"))
    return out


def definition_span(simp: str, question: str) -> tuple[int, int] | None:
    """For '“两新”指什么': the definition in a glossary entry whose term the question names,
    “两新”:指大规模设备更新和消费品以旧换新 → 大规模设备更新和消费品以旧换新."""
    for m in GLOSSARY_ENTRY.finditer(simp):
        if m.group(1) not in question:
            continue
        stop = re.search(r"[。；;\n]", simp[m.end() :])
        end = m.end() + (stop.start() if stop else len(simp) - m.end())
        if end - m.end() >= 2:
            return m.end(), end
    return None


def what_span(simp: str, question: str) -> tuple[int, int] | None:
    """For 'X要打造成什么示范区': find the verb before 什么 (打造成) in the sentence, then the head noun after
    什么 (示范区); the answer is the text from after the verb to the end of the head noun."""
    m = re.search(r"([\u4e00-\u9fff]{1,3})(?:什么|啥)([\u4e00-\u9fff]{0,6})", question)
    if not m:
        return None
    before, head = m.group(1), re.sub(r"(?:是|呢|吗|了)$", "", m.group(2))
    for size in range(len(before), 0, -1):
        verb = before[-size:]
        if verb in ("要", "是", "的", "了", "有"):
            continue
        for v in re.finditer(re.escape(verb), simp):
            start = v.end()
            if head:
                end = simp.find(head, start, start + 50)
                if end >= 0 and end > start:
                    return start, end + len(head)
            elif simp[start : start + 1] in "：:":  # 主要预期目标是：A，B，C。 — the whole enumeration
                stop = re.search(r"[。！？!?\n]", simp[start:])
                end = start + (stop.start() if stop else len(simp) - start)
                if end - start >= 3:
                    return start + 1, end
            else:
                stop = re.search(r"[，,；;。！？!?\n]|作出|推动|实现", simp[start:])
                end = start + (stop.start() if stop else len(simp) - start)
                if end - start >= 2:
                    return start, end
    return None
