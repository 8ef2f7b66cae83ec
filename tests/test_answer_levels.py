"""分别 pairs each member of a clause with its value. The review-figure questions are in tests/cases/levels.toml."""

from __future__ import annotations


def test_respective_members_and_values() -> None:
    from ragtool.answer.respectively import find
    from ragtool.config import Settings
    from ragtool.zh.lexicon import Lexicon

    grammar = Lexicon.load(Settings()).quantities
    combined = {"城乡": ("城镇", "农村")}
    (r,) = find("一般公共预算收入、税收收入年均分别增长4.5%、3%，居民收入增长", combined, grammar)
    assert r.names == ("一般公共预算收入", "税收收入")
    (r,) = find("城乡居民人均可支配收入分别增长4.4%、5.6%", combined, grammar)
    assert r.names == ("城镇居民人均可支配收入", "农村居民人均可支配收入")
    assert find("三个项目分别位于东区、西区和南区", combined, grammar) == []  # no values
    assert find("城镇、农村和园区分别增长3%、4%", combined, grammar) == []  # three members, two values
