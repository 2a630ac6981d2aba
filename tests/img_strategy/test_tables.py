"""Rule tables load, and every kind of defect fails loudly naming the entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from img_strategy.tables import RULES_DIR, Outlook, RuleTableError, load_rules


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def edit(directory: Path, name: str, change) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_package_tables_load_and_every_entry_names_a_known_source():
    rules = load_rules()
    assert rules.statements and rules.figures and rules.specialties
    for entry in [*rules.figures.values(), *rules.statements.values()]:
        assert entry.source in rules.sources


def test_every_guidance_section_is_the_source_of_some_rule():
    rules = load_rules()
    used = {f.source for f in rules.figures.values()} | {
        s.source for s in rules.statements.values()
    }
    for table in [*rules.step2_outlook.values(), *rules.program_count.values()]:
        used |= {band.source for band in table.bands}
    assert set(rules.sources) - used == set()


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "bands.yml",
            lambda d: d["step2_outlook"]["general"][1].update(min=222),
            "gap before gen_220s",
        ),
        (
            "bands.yml",
            lambda d: d["step2_outlook"]["pediatrics"][2].update(min=230),
            "peds_235_244 overlaps",
        ),
        (
            "bands.yml",
            lambda d: d["program_count"]["pediatrics"][2].update(max=299),
            "scores 300-300 uncovered",
        ),
        (
            "figures.yml",
            lambda d: d["ck_passing_score"].update(source="F99"),
            "figures.yml: ck_passing_score: unknown source 'F99'",
        ),
        (
            "statements.yml",
            lambda d: d["timing.verdict"].update(text="Take CK 4 months early."),
            "timing.verdict: literal number",
        ),
        (
            "statements.yml",
            lambda d: d["prep.verdict"].update(text="Plan {no_such_figure}."),
            "prep.verdict: unknown placeholder",
        ),
        (
            "figures.yml",
            lambda d: d["prep_qbank_weeks"].update(low=13),
            "prep_qbank_weeks: low 13 is above high 12",
        ),
        (
            "specialties.yml",
            lambda d: d["specialties"]["pediatrics"].update(group="easy"),
            "pediatrics: unknown group 'easy'",
        ),
        (
            "bands.yml",
            lambda d: d["step2_outlook"]["general"][0].update(outlook="great"),
            "unknown outlook 'great'",
        ),
        (
            "statements.yml",
            lambda d: d["signal.verdict"].pop("source"),
            "signal.verdict: missing source",
        ),
    ],
)
def test_malformed_tables_fail_naming_the_entry(rules_copy, file, change, message):
    edit(rules_copy, file, change)
    with pytest.raises(RuleTableError, match=message.replace("(", r"\(").replace("+", r"\+")):
        load_rules(rules_copy)


def test_outlook_is_ordered():
    assert Outlook.VERY_HARD < Outlook.VERY_CHALLENGING < Outlook.SIGNIFICANT_CHALLENGE
    assert Outlook.SIGNIFICANT_CHALLENGE < Outlook.CHALLENGING < Outlook.REALISTIC < Outlook.STRONG
    assert Outlook.parse("very_strong") == Outlook.VERY_STRONG


def test_a_figure_inside_brackets_adds_its_notes_without_nesting():
    # "(current passing score 218 (reported, ...))" read badly; F4 is reported and dated.
    from img_strategy import ExamStatus, Question, advise
    from img_strategy.profile import Profile
    from tests.img_strategy.support import TODAY

    profile = Profile(
        specialty="internal_medicine", step1=ExamStatus.PASSED, step2=ExamStatus.FAILED
    )
    text = "\n".join(advise(Question.STEP3, profile, today=TODAY).recommendations)
    assert "(current passing score 218, reported, as of 1 July 2025)" in text
    assert "((" not in text and "))" not in text
