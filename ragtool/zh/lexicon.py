"""The indicator lexicon (lexicon.toml): one table of indicators, figure cues and time-frame cues.

`ragtool ask` reads what users may type for an indicator (`question_forms`, `abbreviations`); `ragtool summarize`
reads how documents write it (`document_forms`), the words around a value (`figures`) and the words that date it
(`timeframe`, used by ragtool.zh.timeframe). Everything is simplified, half-width text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ragtool.config import PACKAGE_DIR, Settings
from ragtool.datafiles import read_toml
from ragtool.errors import UsageError
from ragtool.zh.quantity import QuantityGrammar
from ragtool.zh.textnorm import halfwidth, t2s

FILE = "lexicon.toml"


def _norm(word: str) -> str:
    return t2s(halfwidth(str(word))).strip()


def _normalized(table: dict[str, Any]) -> dict[str, Any]:
    """A table's words in simplified, half-width script (nested tables and lists too; numbers stay)."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out[k] = _normalized(v)
        elif isinstance(v, list):
            out[k] = [_norm(w) if isinstance(w, str) else w for w in v]
        else:
            out[k] = v
    return out


def _words(value: Any) -> tuple[str, ...]:
    return tuple(w for w in (_norm(v) for v in (value or [])) if w)


@dataclass(frozen=True)
class Indicator:
    """One indicator: its canonical name, the forms documents write (first = canonical), what questions add."""

    name: str
    forms: tuple[str, ...]
    informal: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # empty: any unit
    bare: tuple[str, ...] = ()  # forms that need punctuation or a scope word right before them (summaries)

    @property
    def question_forms(self) -> tuple[str, ...]:
        """Every surface form a question may use, canonical first."""
        return tuple(dict.fromkeys((*self.forms, *self.informal)))


@dataclass(frozen=True)
class Lexicon:
    indicators: dict[str, Indicator]
    abbreviations: dict[str, str]
    figures: dict[str, Any]  # [figures]: qualifiers, change words, units, gap rules
    timeframe: dict[str, Any]  # [timeframe] and [timeframe.sections]
    priorities: dict[str, Any] = field(default_factory=dict)
    abstract: dict[str, Any] = field(default_factory=dict)
    quantity_words: dict[str, Any] = field(default_factory=dict)  # [quantity]: the words of the quantity grammar
    version: str = ""  # file version plus a digest of its bytes: changes whenever the file does

    @classmethod
    def load(cls, settings: Settings) -> Lexicon:
        path = settings.data_path(FILE)
        table = read_toml(path)
        bundled = PACKAGE_DIR / "data" / FILE
        if "quantity" not in table and path != bundled:  # a copy from before the quantity grammar: its words are ours
            table["quantity"] = read_toml(bundled).get("quantity", {})
        return cls.from_table(table, hashlib.sha256(path.read_bytes()).hexdigest()[:8], str(path))

    @classmethod
    def from_table(cls, table: dict[str, Any], digest: str = "", source: str = FILE) -> Lexicon:
        indicators: dict[str, Indicator] = {}
        for raw_name, spec in dict(table.get("indicator", {})).items():
            if not isinstance(spec, dict):
                raise UsageError(f"{source}: [indicator.\"{raw_name}\"] must be a table with `forms`")
            name = _norm(raw_name)
            forms = tuple(dict.fromkeys((name, *_words(spec.get("forms")))))
            informal = tuple(w for w in _words(spec.get("informal")) if w not in forms)
            bare = tuple(w for w in _words(spec.get("bare")) if w in forms)
            indicators[name] = Indicator(name, forms, informal, _words(spec.get("units")), bare)
        version = str(table.get("version", "lexicon"))
        return cls(
            indicators=indicators,
            abbreviations={_norm(k): _norm(v) for k, v in dict(table.get("abbreviations", {})).items()},
            figures=dict(table.get("figures", {})),
            timeframe=dict(table.get("timeframe", {})),
            priorities=dict(table.get("priorities", {})),
            abstract=dict(table.get("abstract", {})),
            quantity_words=_normalized(dict(table.get("quantity", {}))),
            version=f"{version}+{digest}" if digest else version,
        )

    @cached_property
    def quantities(self) -> QuantityGrammar:
        """The one reader of values (ragtool.zh.quantity) over this file's [quantity] words."""
        return QuantityGrammar.from_table(self.quantity_words)

    # ---- indicators --------------------------------------------------------------------------------------------

    def question_forms(self) -> dict[str, list[str]]:
        """Canonical name -> every form a question may use (canonical first): what query understanding expands."""
        return {name: list(ind.question_forms) for name, ind in self.indicators.items()}

    @cached_property
    def _document_forms(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, ind in self.indicators.items():
            for form in ind.forms:
                out.setdefault(form, name)
        return out

    def document_forms(self) -> dict[str, str]:
        """Surface form as documents write it -> canonical name (summaries match these)."""
        return dict(self._document_forms)

    @cached_property
    def _any_form(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, ind in self.indicators.items():
            for form in ind.question_forms:
                out.setdefault(form.lower(), name)
        return out

    def canonical(self, term: str) -> str | None:
        """The canonical indicator a form (document or question) names, or None: 社零 -> 社会消费品零售总额."""
        return self._any_form.get(_norm(term).lower())

    def leading_indicator(self, text: str) -> tuple[str, str] | None:
        """(form, canonical) of the longest form `text` starts with: 地方一般公共预算收入增长3% -> 地方一般公共预算收入."""
        low = _norm(text).lower()
        best = max((f for f in self._any_form if low.startswith(f)), key=len, default=None)
        return (text[: len(best)], self._any_form[best]) if best else None

    @cached_property
    def bare_forms(self) -> frozenset[str]:
        """Document forms that count only after punctuation or a scope word (经济总量, not 泸州经济总量)."""
        return frozenset(f for ind in self.indicators.values() for f in ind.bare)

    @cached_property
    def _before_stops(self) -> tuple[str, ...]:
        return tuple(self.figure_words("before_stops"))

    @cached_property
    def _scope_words(self) -> tuple[str, ...]:
        return tuple(self.figure_words("scope_words"))

    def own_figure(self, text: str, start: int, form: str, own_place: tuple[str, ...] = (), lo: int = 0) -> bool:
        """Whether the indicator named at text[start:] (as `form`) is the document's own figure, not a part of it:
        none of [figures].before_stops right before it (人均, 海洋, 县域), and a bare form (经济总量) only after
        punctuation, a scope word (全省) or the document's own place (厚街经济总量, not 泸州经济总量). `lo`: where the
        sentence starts."""
        longest = max((len(w) for w in self._before_stops), default=0)
        if text[max(lo, start - longest) : start].endswith(self._before_stops):
            return False
        return form not in self.bare_forms or self.scoped(text, start, own_place)

    def scoped(self, text: str, start: int, own_place: tuple[str, ...] = ()) -> bool:
        """Whether what is named at text[start:] stands on its own: after punctuation, a scope word (全省) or the
        document's own place (厚街经济总量, 全区城乡居民…; not 泸州经济总量, 东盟进出口)."""
        if start == 0 or not "\u4e00" <= text[start - 1] <= "\u9fff":
            return True
        return text[max(0, start - 4) : start].endswith(self._scope_words + own_place)

    def units_of(self, canonical: str) -> tuple[str, ...]:
        ind = self.indicators.get(canonical)
        return ind.units if ind else ()

    # ---- cue words ---------------------------------------------------------------------------------------------

    @cached_property
    def combined(self) -> dict[str, tuple[str, ...]]:
        """[figures].respectively_combined: 城乡 → (城镇, 农村)."""
        table = dict(self.figures.get("respectively_combined", {}))
        return {_norm(k): tuple(_norm(w) for w in v) for k, v in table.items()}

    def figure_words(self, key: str) -> list[str]:
        return [_norm(w) for w in self.figures.get(key, [])]

    def relative_years(self) -> dict[str, int]:
        """今年 = 0, 去年 = -1 …: years named relative to a document's (or a question's) own, one list for both."""
        return {_norm(k): int(v) for k, v in dict(self.timeframe.get("relative_years", {})).items()}

    def time_words(self, key: str) -> list[str]:
        return [_norm(w) for w in self.timeframe.get(key, [])]

    def section_words(self, key: str) -> list[str]:
        return [_norm(w) for w in dict(self.timeframe.get("sections", {})).get(key, [])]
