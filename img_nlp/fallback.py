"""Rasa's FallbackClassifier, with a higher bar for the intents that throw work away.

"start over" wipes the conversation and "forget me" deletes the saved profile, so a guess at
either costs the user everything typed so far: "purple again" at the visa prompt was read as
"start again" (0.43) and restarted the conversation. Real requests for them score above 0.95
on this project's data; guesses around 0.4-0.5. Below its own threshold such an intent
becomes ``nlu_fallback``, which the rules treat as any unclear message (a failed try at a form
prompt, a "didn't get that" elsewhere).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from img_nlp.routing import INTENT_SPLIT, QUESTIONS_KEY
from img_strategy.questions import Question

INTENT_THRESHOLDS_KEY = "intent_thresholds"
# A part of the message that asks (img_nlp.intent_classifier classifies each on its own words)
# and is at least this sure of its question is what the message asks, however unsure the
# whole line is ("how many programs for pediatrics? step 1 score 215, ck 232").
CLEAR_PART_CONFIDENCE = 0.5


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class GuardedFallbackClassifier(FallbackClassifier):
    """``threshold`` and ``ambiguity_threshold`` as Rasa's; ``intent_thresholds`` maps an
    intent to the confidence it needs instead of ``threshold`` (only ever a higher one)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**FallbackClassifier.get_default_config(), INTENT_THRESHOLDS_KEY: {}}

    def process(self, messages: list[Message]) -> list[Message]:
        """Rasa's fallback, except that a line one of whose parts clearly asks a question is
        read as that question rather than as not understood."""
        not_understood = []
        for message in messages:
            if not self._should_fallback(message):
                if _intent_name(message) == Question.OUT_OF_SCOPE.intent:
                    # Facts typed with an in-scope question read out of scope as a whole
                    # ("ck 226 s1 pass, salary in NY? and how many programs"): the line is
                    # the question a part clearly asks, its facts read, the rest answered.
                    part = _clear_question_part(message, besides=Question.OUT_OF_SCOPE.intent)
                    if part is not None:
                        message.data[INTENT] = part
                continue
            part = _clear_question_part(message)
            if part is None:
                not_understood.append(message)
            else:
                message.data[INTENT] = part
        super().process(not_understood)  # falls back only where it should, in place
        return messages

    def _nlu_prediction_ambiguous(self, message: Message) -> tuple[bool, float | None]:
        """Rasa's ambiguity test, except between two questions: a line torn between, say,
        comparing two specialties and the chances in each asks one of them, and is answered
        (the answer actions route it on what it names) rather than not understood."""
        ambiguous, difference = super()._nlu_prediction_ambiguous(message)
        ranking = message.data.get(INTENT_RANKING_KEY) or []
        if ambiguous and len(ranking) >= 2:
            top = [str(r.get(INTENT_NAME_KEY) or "") for r in ranking[:2]]
            if all(_asks_question(name) for name in top):
                return False, difference
        return ambiguous, difference

    def _nlu_confidence_below_threshold(self, message: Message) -> tuple[bool, float]:
        intent = message.data[INTENT]
        confidence = intent.get(PREDICTED_CONFIDENCE_KEY)
        needed = max(
            self.component_config["threshold"],
            float(self.component_config[INTENT_THRESHOLDS_KEY].get(intent.get(INTENT_NAME_KEY), 0)),
        )
        return confidence < needed, confidence


def _asks_question(intent: str) -> bool:
    """Is ``intent`` a question of the registry (or a multi-intent of such questions)?"""
    return all(Question.from_intent(name) for name in intent.split(INTENT_SPLIT))


def _intent_name(message: Message) -> str:
    return str((message.data.get(INTENT) or {}).get(INTENT_NAME_KEY) or "")


def _clear_question_part(message: Message, besides: str | None = None) -> dict[str, Any] | None:
    """The question intent of the first part that asks and is sure of it (other than
    ``besides``), else None."""
    for part in message.get(QUESTIONS_KEY) or []:
        ranking = part.get("intent_ranking") if isinstance(part, dict) else None
        best = ranking[0] if ranking else None
        if best is not None and besides is not None and best.get("name") == besides:
            continue
        names = str(best.get("name", "")).split(INTENT_SPLIT) if best else []
        asks = any(Question.from_intent(name) for name in names)  # the registry's intents
        if asks and best.get("confidence", 0) >= CLEAR_PART_CONFIDENCE:
            return {INTENT_NAME_KEY: best["name"], PREDICTED_CONFIDENCE_KEY: best["confidence"]}
    return None
