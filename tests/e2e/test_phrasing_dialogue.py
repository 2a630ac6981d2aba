"""Issue #14's examples (dead ends, facts plus a question, wrong topic, asking again, natural
multi-sentence messages, the new topics), each sent over REST as a whole conversation to the
real servers. Each checks the answer is on the question's topic, that no reply is the
fallback, and that no prompt asks for a fact already given."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

pytestmark = pytest.mark.e2e

FALLBACK = "Sorry, I didn't get that"
CK_PROMPT = "What was your Step 2 CK score?"
VISA_PROMPT = "Which visa will you need for residency?"
YOG_PROMPT = "What year did you graduate"
STEP1_PROMPT = "How did Step 1 go?"
MATCH_STATS = "Matched in the last NRMP Main Match"
PRACTICE_TEMPLATE = "Decide on practice exams"


@dataclass(frozen=True)
class Conversation:
    name: str
    turns: tuple[str, ...]
    expected: tuple[str, ...]  # phrases the replies to the last turn must contain
    absent: tuple[str, ...] = ()  # phrases no reply to the last turn may contain
    never_asked: tuple[str, ...] = ()  # prompts that must not appear after the first turn


CONVERSATIONS = [
    # ---- Dead ends
    Conversation(
        "ck not taken yet, typed",
        (
            "what are my chances for IM",
            "passed step 1 on the first attempt",
            "I haven't taken step 2 ck yet",
        ),
        ("What do your recent practice exams (NBME or UWSA) predict for CK?",),
        absent=(FALLBACK, CK_PROMPT),
    ),
    Conversation(
        "ck not taken yet, the button's payload",
        (
            "what are my chances for IM",
            "passed step 1 on the first attempt",
            "I have not taken step 2 ck yet",
        ),
        ("What do your recent practice exams (NBME or UWSA) predict for CK?",),
        absent=(FALLBACK, CK_PROMPT),
    ),
    Conversation(
        "either typed at the visa prompt",
        ("what are my chances for IM? passed s1 first attempt, ck 236", "Either"),
        (YOG_PROMPT,),
        absent=(FALLBACK, VISA_PROMPT),
    ),
    Conversation(
        "two failed tries at a prompt lead on",
        (
            "what are my chances for IM? passed s1 first attempt, ck 236, graduated 2021",
            "purple",
            "purple again",
        ),
        ("Let's leave your visa need aside for now", "Your outlook for Internal Medicine"),
        absent=(FALLBACK, VISA_PROMPT),
    ),
    # ---- Facts plus a question
    Conversation(
        "facts then a visa question",
        ("My CK is 226 and I'm applying to family medicine. Should I go for J-1 or H-1B?",),
        ("J-1", "H-1B", "ECFMG"),
        absent=("What would you like to know?",),
    ),
    Conversation(
        "facts then a graduation-year question",
        (
            "passed s1 first attempt, ck 231, j1, graduated 2016. "
            "Is my year of graduation a problem for IM?",
        ),
        ("You graduated 10 years ago",),
        absent=("Noted:",),
        never_asked=(YOG_PROMPT,),
    ),
    Conversation(
        "facts then a target-score question",
        ("passed s1 first attempt, ck 231, j1, applying IM. What Step 2 CK score do I need?",),
        ("Internal Medicine: aim for",),
        absent=("Noted:",),
    ),
    Conversation(
        "two specialties and a second question",
        (
            "IM or FM, which gives me a better chance? and how many programs?",
            "passed step 1 on the first attempt",
            "229",
            "j1",
            "2020",
        ),
        ("Comparing Internal Medicine and Family Medicine", "programs"),
        absent=(FALLBACK,),
    ),
    # ---- Wrong topic
    Conversation(
        "a gap is a filter question, not postponing",
        (
            "I have a 2 year gap after graduation, is that a problem?",
            "passed step 1 on the first attempt",
            "232",
        ),
        ("does not treat CV gaps on their own",),
        absent=(PRACTICE_TEMPLATE, FALLBACK),
    ),
    Conversation(
        "categorical surgery, not prelim",
        ("what do i need to match categorical general surgery not just prelim?",),
        ("preliminary IM and transitional-year positions", "General Surgery"),
        absent=(MATCH_STATS,),
    ),
    Conversation(
        "what makes an application stand out",
        ("what makes an IMG application stand out?", "none"),
        ("letters",),
        absent=(MATCH_STATS,),
    ),
    Conversation(
        "filtered out for a step 1 fail",
        ("will programs filter me out because of the step 1 fail?", "ck 224"),
        ("first-attempt Step 1 pass is one of the most common early filters",),
        absent=(FALLBACK,),
        never_asked=(STEP1_PROMPT,),
    ),
    # ---- Natural multi-sentence message
    Conversation(
        "is it too late, everything in one line",
        ("graduated 2012 from egypt, S1 pass CK 235, no usce, is it too late for me? FM",),
        ("You graduated 14 years ago",),
        absent=(FALLBACK, "Noted:"),
    ),
    # ---- Topics people really ask
    Conversation(
        "observership is not hands-on",
        ("is observership counted as USCE? I have 3 months obs",),
        ("not hands-on experience",),
        absent=("of hands-on USCE, a real asset",),
    ),
    Conversation(
        "age is answered with the year of graduation",
        ("im 38, is my age a problem?", "2014"),
        ("nothing about age itself", "(YOG)", "You graduated 12 years ago"),
        absent=(FALLBACK,),
    ),
    Conversation(
        "reapply after not matching",
        ("i didnt match this year, should i reapply?",),
        ("Reapply only with something new",),
    ),
    Conversation(
        "explain a fail",
        ("how do i explain my step 1 fail in interviews",),
        ("Own it in a sentence or two",),
        absent=(CK_PROMPT,),
    ),
    Conversation(
        "fees are not covered",
        ("how much does ERAS cost?",),
        ("does not cover that", "AAMC publishes ERAS's", "I can answer instead"),
        absent=("Take Step 2 CK",),
    ),
    Conversation(
        "family visas are not covered",
        ("can my wife work on a J2 visa?",),
        ("immigration attorney", "I can answer instead"),
        absent=("267 (63.7%)",),
    ),
]


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.name for c in CONVERSATIONS])
def test_issue_example(rasa_stack, conversation: Conversation):
    sender = "e2e-phrasing-" + "".join(c if c.isalnum() else "-" for c in conversation.name)
    last = ""
    for i, turn in enumerate(conversation.turns):
        last = rasa_stack.said(sender, turn)
        assert last, f"no reply to {turn!r}"
        assert FALLBACK not in last, f"fallback after {turn!r}:\n{last}"
        if i:
            for prompt in conversation.never_asked:
                assert prompt not in last, f"asked again after {turn!r}:\n{last}"
    for phrase in conversation.expected:
        assert phrase in last, f"{phrase!r} missing from:\n{last}"
    for phrase in conversation.absent:
        assert phrase not in last, f"{phrase!r} should not be in:\n{last}"
