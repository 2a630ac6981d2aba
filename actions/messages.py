"""Conversation wording that is not advice: the disclaimer and follow-up buttons.

Advice wording (and every number) comes from the strategy module's rule tables.
"""

from __future__ import annotations

from img_strategy import Question

DISCLAIMER = (
    "Before we start: this is educational guidance built from published advice for "
    "international medical graduates. It is not official advice from USMLE, NRMP or ECFMG, "
    "and no program's decision can be predicted for certain."
)

# What a user would type to ask each question; used as button payloads so every channel
# (web, Telegram, WhatsApp numbered options, shell) sends ordinary text through NLU.
ASK_TEXT: dict[Question, str] = {
    Question.CHANCES: "what are my chances",
    Question.TARGET_SCORE: "what CK score should I aim for",
    Question.REALISTIC_SPECIALTIES: "which specialties are realistic for me",
    Question.PROGRAMS: "how many programs should I apply to",
    Question.POSTPONE: "should I postpone my exam",
    Question.CK_TIMING: "when should I take step 2 ck",
    Question.PREPARATION: "how should I prepare for ck",
    Question.RETAKE: "can I retake the exam",
    Question.RECOVERY: "how do I recover from a low score",
    Question.STEP3: "should I take step 3",
    Question.VISA: "j1 or h1b which is better",
    Question.GRADUATION_YEAR: "does my graduation year matter",
    Question.USCE_LETTERS: "how much usce and which letters do I need",
    Question.SIGNALING: "how should I use signals",
    Question.PERSONAL_STATEMENT: "how do I explain my score in the personal statement",
    Question.MATCH_STATS: "what is the match rate for imgs",
}

_RELATED: dict[Question, tuple[Question, ...]] = {
    Question.CHANCES: (Question.PROGRAMS,),
    Question.TARGET_SCORE: (Question.POSTPONE,),
    Question.REALISTIC_SPECIALTIES: (Question.PROGRAMS,),
    Question.PROGRAMS: (Question.SIGNALING,),
    Question.POSTPONE: (Question.PREPARATION,),
    Question.CK_TIMING: (Question.PREPARATION,),
    Question.PREPARATION: (Question.CK_TIMING,),
    Question.RETAKE: (Question.RECOVERY,),
    Question.RECOVERY: (Question.PERSONAL_STATEMENT,),
    Question.STEP3: (Question.VISA,),
    Question.VISA: (Question.STEP3,),
    Question.GRADUATION_YEAR: (Question.USCE_LETTERS,),
    Question.USCE_LETTERS: (Question.PROGRAMS,),
    Question.SIGNALING: (Question.PROGRAMS,),
    Question.PERSONAL_STATEMENT: (Question.USCE_LETTERS,),
    Question.MATCH_STATS: (Question.CHANCES,),
}

# Questions whose answer moves with the CK score: a "what if" button makes sense.
SCORE_SENSITIVE = frozenset(
    {
        Question.CHANCES,
        Question.REALISTIC_SPECIALTIES,
        Question.PROGRAMS,
        Question.POSTPONE,
        Question.STEP3,
        Question.RECOVERY,
    }
)

WHAT_IF_HIGHER = "what if my score were higher"
WHY = "why?"


def follow_up_buttons(question: Question) -> list[dict[str, str]]:
    """Two or three natural next steps after an answer."""
    buttons = [
        {"title": q.title, "payload": ASK_TEXT[q]} for q in _RELATED.get(question, ())
    ]
    if question in SCORE_SENSITIVE:
        buttons.append({"title": "What if my score were higher?", "payload": WHAT_IF_HIGHER})
    buttons.append({"title": "Why?", "payload": WHY})
    return buttons


def menu_buttons() -> list[dict[str, str]]:
    """The starting menu: the questions IMGs ask most."""
    picks = (
        Question.CHANCES,
        Question.TARGET_SCORE,
        Question.PROGRAMS,
        Question.REALISTIC_SPECIALTIES,
        Question.VISA,
        Question.PREPARATION,
    )
    return [{"title": q.title, "payload": ASK_TEXT[q]} for q in picks]
