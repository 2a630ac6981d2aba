"""Every fact-reading example of issue #14, and more in the same spirit, as whole REST
conversations: what the parser stored is read back from the tracker's slots.

Written the way IMGs type in WhatsApp and Telegram groups (Indian, Pakistani, Egyptian and
Nigerian English among them): several facts per line, abbreviations, negations,
corrections. IMG_ADVISOR_TODAY is pinned by the stack (2026-11), so "fresh grad" is 2026.
"""

from __future__ import annotations

import itertools

import pytest

from tests.conversations.runner import conversation_id as rest_conversation_id

pytestmark = pytest.mark.e2e

UNSET = None  # the slot must not have been filled
_ids = itertools.count()

# (name, user turns, slots after the last turn, phrases no reply may contain)
CONVERSATIONS: list[tuple[str, list[str], dict[str, object], list[str]]] = [
    # -- the examples of #14 ---------------------------------------------------------------
    ("h1b not j1", ["I need H1B not J1"], {"visa": "h1b"}, []),
    (
        "yog corrected",
        ["yog 2021, ck 231, j1", "sorry yog is 2016 not 2021"],
        {"graduation_year": 2016, "step2_score": 231},
        [],
    ),
    ("never failed", ["I never failed step 1"], {"step1": "passed"}, ["after one fail"]),
    ("zero usce", ["zero USCE, applying IM"], {"usce_months": 0}, []),
    (
        "step 1 year is not yog",
        ["I took step 1 in 2021 and got a 205"],
        {"graduation_year": UNSET, "step1_score": 205},
        [],
    ),
    ("age im 46", ["im 46, is it too late for IM?"], {"usce_months": UNSET}, ["552"]),
    ("age years old", ["I'm 34 years old, ck 240"], {"usce_months": UNSET}, []),
    (
        "exam ahead",
        ["exam in 3 weeks, should i postpone? nbme 220"],
        {"usce_months": UNSET, "step2_practice": 220},
        [],
    ),
    (
        "cv gap",
        ["I have a 6-month gap in my CV, ck 236, passed s1"],
        {"usce_months": UNSET, "step2_score": 236},
        [],
    ),
    ("legacy step 1", ["259/99 on Step I, graduated 2010"], {"step1_score": 259}, []),
    (
        "nbme list",
        ["NBME 205, 208, 212 and ck is in 2 weeks"],
        {"step2_practice": 212, "step2_score": UNSET, "usce_months": UNSET},
        ["two different"],
    ),
    (
        "fail then retake",
        ["failed CK once (209), passed the retake with 232"],
        {"step2": "failed_then_passed", "step2_score": 232, "step2_attempts": 2},
        ["two different"],
    ),
    (
        "med school fail",
        ["failed a year in med school, passed step 1 first attempt, ck 241"],
        {"step1": "passed", "step2_score": 241},
        ["after one fail"],
    ),
    ("future yog", ["I will graduate in 2028"], {"graduation_year": 2028}, ["still ahead"]),
    ("fresh grad", ["fresh grad from Lagos, ck 238"], {"graduation_year": 2026}, []),
    ("this year", ["I graduated this year, j1"], {"graduation_year": 2026}, []),
    ("0 yog", ["0 YOG, ck 244, applying IM"], {"graduation_year": 2026}, []),
    ("years ago", ["graduated 6 years ago, ck 230"], {"graduation_year": 2020}, []),
    (
        "fail and retake question",
        ["I failed step 2 ck, can I retake?"],
        {"step2": "failed"},
        ["cannot retake a Step you have passed"],
    ),
    (
        "observership",
        ["is observership counted as USCE? I have 3 months obs"],
        {"usce_months": 3, "usce_kind": "observership"},
        ["hands-on USCE, a real asset"],
    ),
    (
        "score pending",
        ["which specialties are realistic for me? passed s1", "my score comes out in October"],
        {"step2": "pending", "step2_score": UNSET},
        [],
    ),
    (
        "egypt 2012",
        ["graduated 2012 from egypt, S1 pass CK 235, no usce, is it too late for me? FM"],
        {
            "graduation_year": 2012,
            "step1": "passed",
            "step2_score": 235,
            "usce_months": 0,
            "specialty": "family_medicine",
        },
        [],
    ),
    (
        "facts and a visa question",
        ["My CK is 226 and I'm applying to family medicine. Should I go for J-1 or H-1B?"],
        {"step2_score": 226, "specialty": "family_medicine"},
        [],
    ),
    ("six weeks", ["6 weeks of USCE in IM"], {"usce_months": 1.5}, []),
    (
        "ck in two weeks",
        ["CK in two weeks, passed s1 in one go"],
        {"usce_months": UNSET, "step2": "not_taken", "step1": "passed"},
        [],
    ),
    ("i meant", ["ck 228, j1", "wait I meant 238"], {"step2_score": 238}, ["two different"]),
    # -- our own, in the styles of the groups ------------------------------------------------
    (
        "indian",
        ["sir I am 2019 passout from AIIMS, s1 cleared, ck 243, 2 month elective in IM, need J1"],
        {
            "graduation_year": 2019,
            "step1": "passed",
            "step2_score": 243,
            "usce_months": 2,
            "usce_kind": "hands_on",
            "visa": "j1",
        },
        [],
    ),
    (
        "pakistani",
        [
            "AOA, KEMU grad 2020, s1 pass first attempt alhamdulillah, ck 229, "
            "no USCE yet, H1b not J1"
        ],
        {
            "graduation_year": 2020,
            "step1": "passed",
            "step2_score": 229,
            "usce_months": 0,
            "visa": "h1b",
        },
        [],
    ),
    (
        "egyptian",
        [
            "Hello doctor, graduated Cairo 2017, step 1 pass, step 2 CK 221, "
            "3 months observership, IM"
        ],
        {
            "graduation_year": 2017,
            "step2_score": 221,
            "usce_months": 3,
            "usce_kind": "observership",
            "specialty": "internal_medicine",
        },
        ["hands-on USCE, a real asset"],
    ),
    (
        "nigerian",
        [
            "Good evening all. Please I'm a fresh graduate from UNILAG, yet to write CK, "
            "NBME 198, 204, 215"
        ],
        {"graduation_year": 2026, "step2": "not_taken", "step2_practice": 215},
        [],
    ),
    (
        "nigerian correction",
        ["ck 232, graduated 2018", "abeg correction: ck was 235 not 232"],
        {"step2_score": 235, "graduation_year": 2018},
        ["two different"],
    ),
    (
        "indian retake story",
        ["failed step 1 twice, passed 3rd attempt. CK 230. will it be a problem for IM?"],
        {"step1": "failed_then_passed", "step1_attempts": 3, "step2_score": 230},
        [],
    ),
]


@pytest.mark.parametrize(
    ("turns", "expected", "never"),
    [c[1:] for c in CONVERSATIONS],
    ids=[c[0] for c in CONVERSATIONS],
)
def test_facts_are_read_right(rasa_stack, turns, expected, never):
    sender = f"e2e-facts-{next(_ids)}"
    replies = [rasa_stack.said(sender, turn) for turn in turns]
    slots = rasa_stack.tracker(rest_conversation_id(sender))["slots"]
    stored = {name: slots.get(name) for name in expected}
    assert stored == expected, (turns, replies)
    for phrase in never:
        assert all(phrase not in reply for reply in replies), (phrase, replies)


def test_an_unsure_fact_is_asked_and_stored_on_yes(rasa_stack):
    sender = f"e2e-facts-unsure-{next(_ids)}"
    first = rasa_stack.said(sender, "I have 4 months, ck 238, passed s1. is it enough for IM?")
    assert "Is that your US clinical experience?" in first
    assert rasa_stack.tracker(rest_conversation_id(sender))["slots"]["usce_months"] is None
    rasa_stack.said(sender, "yes")
    assert rasa_stack.tracker(rest_conversation_id(sender))["slots"]["usce_months"] == 4


def test_an_unsure_fact_is_dropped_on_no(rasa_stack):
    sender = f"e2e-facts-unsure-{next(_ids)}"
    first = rasa_stack.said(sender, "2019, ck 238, j1")
    assert "Is that the year you graduated" in first
    rasa_stack.said(sender, "no")
    slots = rasa_stack.tracker(rest_conversation_id(sender))["slots"]
    assert slots["graduation_year"] is None
    assert slots["unsure_fact"] is None
