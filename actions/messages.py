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

GREETING = "Hi! I'm an advisor for international medical graduates planning the US residency Match."
CAPABILITIES = (
    "Ask me about your chances in a specialty, the Step 2 CK score to aim for, how many "
    "programs to apply to, when to take or postpone CK, Step 3, J-1 vs H-1B, USCE and "
    "letters. Tell me your facts the way you'd tell a friend, like \"failed S1 once, CK two "
    'thirty, need J1, peds?"'
)
BACK_TO_QUESTION = "Now, back to your earlier question."
WHAT_IF_NEEDS_SCORE = "Tell me the score you have in mind and I'll rerun the advice with it."
NOTHING_TO_EXPLAIN = (
    "I haven't given you any advice yet, so there is nothing to explain. Ask me a question first."
)
PROFILE_EMPTY = (
    "I don't know anything about you yet. Tell me your scores, visa need or specialty "
    "whenever you like."
)
PROFILE_INTRO = "Here is what I know about you:"
FORGOT = "Done: I've deleted everything I had about you, saved or from this conversation."
NO_FACTS_FOUND = (
    "I didn't find a score, visa, specialty or date in that. Could you put it another way?"
)
WHAT_NEXT = "What would you like to know?"
ASK_CONSENT = (
    "Shall I remember your scores, visa and plans for your next visit? They stay until you say "
    '"forget me", or until you haven\'t used them for a long while.'
)
CONSENT_BUTTONS = [
    {"title": "Yes, remember", "payload": "yes"},
    {"title": "No thanks", "payload": "no"},
]
REMEMBERED = 'Saved. Say "what do you know about me" to see it, or "forget me" to delete it.'
NOT_REMEMBERED = "Fine: I won't keep your details after this conversation."
GO_PRIVATE = (
    "Advice for your own profile needs your scores and visa plans, which are better kept "
    "out of a group chat. Continue with me privately and I'll ask what I need: {url}\n"
    "Here in the group I can answer general questions, such as what CK score is safe "
    "for pediatrics."
)

SAVE_FAILED = (
    "Sorry, I couldn't save your details just now (a storage problem on my side). Your advice "
    'is unaffected; try "remember me" later.'
)
FORGET_FAILED = (
    "Sorry, I couldn't delete your saved details just now (a storage problem on my side). "
    'Please try "forget me" again in a few minutes.'
)
STORAGE_DOWN = (
    "Heads-up: my storage is not reachable right now, so this conversation and your details "
    "are not being saved. The advice itself still works."
)
STORED_INTRO = "Saved with your consent:"
CONVERSATION_INTRO = "Known in this conversation only (not saved):"


def welcome_back(summary: list[str]) -> str:
    """Greeting for a returning user whose profile was saved with consent."""
    return (
        "Welcome back! I still have: " + "; ".join(summary) + ". Is that still current? "
        "Just tell me anything that has changed."
    )


WHAT_IF_HIGHER = "what if my score were higher"
WHY = "why?"


def follow_up_buttons(question: Question) -> list[dict[str, str]]:
    """Two or three natural next steps after an answer."""
    spec = question.spec
    buttons = [ask_button(q) for q in spec.follow_ups]
    if spec.score_sensitive:
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
    return [ask_button(q) for q in picks]


def ask_button(question: Question) -> dict[str, str]:
    """A button that asks ``question``: its payload is ordinary text, so every channel (web,
    Telegram, WhatsApp numbered options, the console) sends it through NLU like typed text."""
    return {"title": question.title, "payload": question.spec.ask}


# A reply at a form prompt that gave nothing: first a hint on how to answer it, then (on the
# second try) the bot goes on without the fact. Keyed by slot, like the form's questions
# (utter_ask_<slot> in domain.yml).
# (what the fact is, an example reply that works)
_PROMPT_HELP: dict[str, tuple[str, str]] = {
    "specialty": ("your specialty", '"IM", "peds", "family medicine"'),
    "step1": ("how Step 1 went", '"passed first attempt", "failed once then passed", "not yet"'),
    "step2_score": ("your Step 2 CK score", '"CK 232", "not taken yet"'),
    "step2_practice": ("your practice-exam score", '"NBME 225", "UWSA 231"'),
    "visa": ("your visa need", '"J1", "H1B", "either", "green card"'),
    "graduation_year": ("your graduation year", '"2019", "graduated 3 years ago"'),
    "usce_months": (
        "your US clinical experience",
        '"3 months hands-on", "2 months observership", "none"',
    ),
    "step3": ("Step 3", '"passed step 3", "not yet"'),
}
_GENERIC_HELP = ("that fact", '"skip"')


def prompt_hint(slot: str) -> str:
    what, example = _PROMPT_HELP.get(slot, _GENERIC_HELP)
    return (
        f"I couldn't read {what} in that. You can answer like {example}, tap a button, "
        'or say "skip" if you would rather not say.'
    )


def prompt_given_up(slot: str) -> str:
    what, example = _PROMPT_HELP.get(slot, _GENERIC_HELP)
    return (
        f"Let's leave {what} aside for now: I'll go on with what I have. You can tell me "
        f"any time, like {example}."
    )
