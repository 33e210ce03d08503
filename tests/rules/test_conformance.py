"""Every published example gives its official answer (rules/conformance.py), so a cross on the
conformance page can never appear unseen."""

from dataclasses import fields

import pytest

import rules
from rules.conformance import EXAMPLES, OPEN_POINTS


@pytest.mark.parametrize("example", [pytest.param(e, id=e.key) for e in EXAMPLES])
def test_the_engine_gives_the_official_answer(example):
    assert example.staysite() == example.official
    assert example.agrees()


def test_every_example_cites_its_source():
    for example in EXAMPLES:
        assert example.source.quote and example.source.title
        assert example.source.url.startswith("https://") or example.source.title.startswith(
            "docs/rules.md §"
        )


@pytest.mark.parametrize("point", [pytest.param(p, id=p.key) for p in OPEN_POINTS])
def test_each_open_point_names_an_option_the_engine_has(point):
    options = {f.name for f in fields(rules.Parameters)}
    assert point.section.startswith("docs/rules.md §16.")
    if point.kind == "option":
        assert point.option in options
        assert point.default in point.choices
    else:
        assert point.kind in ("table", "not_modelled")
