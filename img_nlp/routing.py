"""Question routing: which questions a message asks, from its NLU parse result.

People type facts and two or three questions in one line ("ck 241 j1, what are my chances
for IM and how many programs"). The intent classifier labels the whole line and each asking
part on its own words (``questions`` in the parse result, ``img_nlp.intent_classifier``);
this module turns those labels into the ``Question``s asked, in order, counting what the
classifier cannot see from words alone: two specialties offered as alternatives ("IM or
FM", "peds vs FM") make a question about chances a comparison, a named institution makes a
score question the program's own to answer, and a part that points back ("is that a
problem?") is read with its whole line.

It lives in ``img_nlp``, next to the other readers of free text, and not in ``actions/``:
it is parsing of questions, not the bridge between Rasa's slots and the strategy module's
``Profile`` (``actions.slots``). It reads the parse result as a plain mapping (what Rasa
keeps as a tracker's ``latest_message``) and imports nothing from Rasa or rasa-sdk, so the
action server uses it without loading Rasa. Its cue words ("or", "vs", "versus" between two
specialties, the marks that end a sentence) are in ``img_strategy/vocabulary.yml`` with the
parser's, which reads them (``img_strategy.parsing``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from img_strategy.parsing import (
    ParseError,
    joins_options,
    names_institution,
    parse_specialty,
    refers_back,
    sentence_start,
    weighs_options,
)
from img_strategy.questions import Question

# What the intent classifier (img_nlp.intent_classifier) writes and this module reads, here
# so that the action server reads it without loading Rasa:
# Rasa's multi-intent labels join their intents with this ("ask_compare+ask_programs").
INTENT_SPLIT = "+"
# The parse result's key for the questions of a message, each classified on its own words:
# ``[{"start": 0, "end": 26, "text": ..., "intent_ranking": [{"name", "confidence"}, ...]}]``.
QUESTIONS_KEY = "questions"
# The NLU entity that names a specialty (img_nlp's EntityRuler labels).
SPECIALTY_ENTITY = "specialty"

# A question's own classification is taken when its best intent is a question intent at
# least this sure; below it the words alone are too few to tell.
MIN_OWN_CONFIDENCE = 0.3
# Among several parts, one that points back leans on its whole line only when its own
# words leave it below this ("is that smart?" after "TY spots as backup"); one that is
# sure of itself ("and will it get me screened out?") keeps its own question.
UNSURE_PART = 0.5


def questions_from_intent(intent: str | None) -> list[Question]:
    """Every question an intent asks, in order: one for ``ask_visa``, two for a multi-intent
    such as ``ask_compare+ask_programs``; none for other intents."""
    found: list[Question] = []
    for part in (intent or "").split(INTENT_SPLIT):
        question = Question.from_intent(part)
        if question is not None and question not in found:
            found.append(question)
    return found


def questions_in_message(message: Mapping[str, Any]) -> list[Question]:
    """The questions a message's parts ask, each classified on its own words, in the order
    asked: "ck 241 j1, what are my chances for IM and how many programs" asks two, however
    the whole line is labelled. Empty when no part asks a question clearly."""
    found: list[Question] = []
    for questions, _ in _part_bests(message):
        found += [q for q in questions if q not in found]
    return found


def questions_from_message(message: Mapping[str, Any]) -> list[Question]:
    """Every question the latest message asks: those its parts ask on their own words,
    else the whole message's question intent (a multi-intent adds the questions it names
    that no part did, when some part is unsure of its own). A part that points back and
    that its own words make less sure than the whole line (and unsure, when there are
    others) is read with the line ("a 2 year gap after graduation, is that a problem?":
    "that" is the gap; "thinking of TY spots as backup. is that smart?")."""
    intent = message.get("intent") or {}
    whole = questions_from_intent(intent.get("name"))
    sure = float(intent.get("confidence") or 0)
    parts = _parts(message)
    own: list[Question] = []
    for part in parts:
        # Only a part that points back leans on the line: one that names its own subject
        # ("neuro or IM, where do I stand better?") is read as asked.
        leans = (
            len(whole) == 1
            and sure > part.confidence
            and (len(parts) == 1 or part.confidence < UNSURE_PART)
            and refers_back(part.text)
        )
        own += [q for q in (whole if leans else part.questions) if q not in own]
    if not own:
        return whole
    if all(part.confidence >= UNSURE_PART for part in parts):
        # Parts each sure of their own question say all that was asked: a multi-intent
        # label of the whole line adds nothing ("... signals for obgyn and how many
        # programs?" is not also a question about chances).
        return own
    return own + [q for q in whole if q not in own and len(whole) > 1]


@dataclass(frozen=True)
class _Part:
    """One asking part of a message: its best questions, how sure, and where it is."""

    questions: list[Question]
    confidence: float
    text: str
    start: int


def _parts(message: Mapping[str, Any]) -> list[_Part]:
    """Each asking part's best question intent and its confidence, when it is sure enough,
    with its questions routed by the specialties the message names (``_routed``)."""
    text = str(message.get("text") or "")
    named = _specialties(message)
    parts: list[_Part] = []
    previous_end = 0
    for part in message.get(QUESTIONS_KEY) or []:
        ranking = part.get("intent_ranking") if isinstance(part, Mapping) else None
        best = ranking[0] if isinstance(ranking, list) and ranking else {}
        if not isinstance(best, Mapping):
            continue
        start = _offset(part.get("start"), previous_end)
        end = _offset(part.get("end"), len(text))
        words = str(part.get("text") or text[start:end])
        # What leads up to the part in its sentence is part of what it weighs ("peds vs FM,
        # dono me kaun sa better?"); facts in earlier sentences are not.
        lead_start = max(previous_end, sentence_start(text, start))
        lead = text[lead_start:start]
        previous_end = max(previous_end, end)
        confidence = float(best.get("confidence") or 0)
        if confidence < MIN_OWN_CONFIDENCE:
            continue
        pair = _joined_pair(message, lead_start, end)
        weighs = pair or weighs_options(lead + " " + words)
        questions = [
            _routed(q, named, _specialties_in(message, start, end), weighs)
            for q in questions_from_intent(best.get("name"))
        ]
        if names_institution(words):
            # "what CK does Hopkins want for IM?": one program's bar is its own to publish.
            questions = [_PROGRAM_OWN.get(q, q) for q in questions]
        if not questions and pair and _joined_pair(message, start, end):
            # "peds or psych?" typed before the facts reads as facts to the classifier, but two
            # specialties offered as alternatives in a question ask which one.
            questions = [Question.COMPARE]
        parts.append(_Part(list(dict.fromkeys(questions)), confidence, words, start))
    return parts


def _part_bests(message: Mapping[str, Any]) -> list[tuple[list[Question], float]]:
    return [(part.questions, part.confidence) for part in _parts(message)]


def _offset(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


# Questions about one's outlook in a specialty: naming two of them with a choice between
# them ("neuro or psych for a 2019 grad?", "FM is my plan but is IM less risky?") asks for a
# comparison, and a comparison with only one named is about that one.
_OUTLOOK = frozenset({Question.CHANCES, Question.REALISTIC_SPECIALTIES, Question.COMPARE})


def _routed(question: Question, named: list[str], in_part: list[str], weighs: bool) -> Question:
    """The question a part asks once the specialties it weighs are counted: the intent
    classifier reads words, not how many specialties a line names. ``named``: the
    specialties of the whole message; ``in_part``: those of the part; ``weighs``: the part
    (or what leads up to it) weighs options ("which is the safer bet", "peds or FM")."""
    if question not in _OUTLOOK:
        return question
    if len(named) >= 2 and weighs:
        return Question.COMPARE
    if question != Question.COMPARE or weighs:
        return question  # "maybe FM instead?": the other one is the profile's
    # "can I do anaesthesia, or is some other field wiser": no second specialty to weigh,
    # so the first part is about anaesthesia and the second asks what else is realistic.
    return Question.CHANCES if in_part else Question.REALISTIC_SPECIALTIES


# Questions that, asked about one named institution, only that program can answer.
_PROGRAM_OWN = {
    Question.TARGET_SCORE: Question.OUT_OF_SCOPE,
    Question.CHANCES: Question.OUT_OF_SCOPE,
}


def _joined_pair(message: Mapping[str, Any], start: int, end: int) -> bool:
    """Does ``message`` name two specialties as alternatives ("peds or FM", "neuro/psych",
    "IM vs FM") between ``start`` and ``end``?"""
    text = str(message.get("text") or "")
    spans = sorted(
        (at, _offset(e.get("end"), at))
        for e in message.get("entities") or []
        if isinstance(e, Mapping) and e.get("entity") == SPECIALTY_ENTITY
        if start <= (at := _offset(e.get("start"), -1)) < end
    )
    return any(
        joins_options(text[first_end:second_start])
        for (_, first_end), (second_start, _) in itertools.pairwise(spans)
    )


def _safe_specialty(word: str) -> str | None:
    try:
        return parse_specialty(word)
    except ParseError:
        return None


def _specialties(message: Mapping[str, Any]) -> list[str]:
    """The distinct specialties a message names, in order ("IM" and "internal medicine" are
    one)."""
    return _specialties_in(message, 0, len(str(message.get("text") or "")))


def _specialties_in(message: Mapping[str, Any], start: int, end: int) -> list[str]:
    found: list[str] = []
    for entity in message.get("entities") or []:
        if not isinstance(entity, Mapping) or entity.get("entity") != SPECIALTY_ENTITY:
            continue
        at = _offset(entity.get("start"), -1)
        if not start <= at < end:
            continue
        name = _safe_specialty(str(entity.get("text") or entity.get("value") or ""))
        if name is not None and name not in found:
            found.append(name)
    return found
