"""Query understanding: script, places, years, indicator synonyms and question type."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

QuestionType = Literal["number", "name", "list", "date", "other"]


class ParsedQuery(BaseModel):
    raw: str
    text: str  # half-width, simplified
    places: list[str] = Field(default_factory=list)  # indexed place names matched, e.g. 凤岗镇
    place_terms: list[str] = Field(default_factory=list)  # as written in the question, e.g. 凤岗
    years: list[int] = Field(default_factory=list)  # explicit years
    relative_year: int | None = None  # 今年=0, 明年=+1, 去年=-1 relative to each document's year
    indicators: list[str] = Field(default_factory=list)  # canonical indicator names, e.g. 地区生产总值
    indicator_terms: list[str] = Field(default_factory=list)  # every surface form to look for
    target: bool | None = None  # True: asks for a target/plan; False: asks for an actual result
    qtype: QuestionType = "other"
    expanded: str = ""  # text plus synonyms, for lexical search
