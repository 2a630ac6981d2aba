from __future__ import annotations

from pathlib import Path

from img_strategy import coverage
from img_strategy.tables import default_rules

DOC = Path(__file__).parents[2] / "docs" / "coverage.md"


def test_every_article_section_and_fact_has_rules_and_tests():
    rules = default_rules()
    by_rule, by_test = coverage.rules_by_section(rules), coverage.tests_by_section()
    assert [s for s in rules.sources if not by_rule.get(s)] == []
    assert [s for s in rules.sources if not by_test.get(s)] == []


def test_coverage_doc_is_up_to_date():
    assert DOC.read_text() == coverage.render_markdown(), (
        "regenerate with: python -m img_strategy.coverage > docs/coverage.md"
    )
