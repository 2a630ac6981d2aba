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
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

INTENT_THRESHOLDS_KEY = "intent_thresholds"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class GuardedFallbackClassifier(FallbackClassifier):
    """``threshold`` and ``ambiguity_threshold`` as Rasa's; ``intent_thresholds`` maps an
    intent to the confidence it needs instead of ``threshold`` (only ever a higher one)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**FallbackClassifier.get_default_config(), INTENT_THRESHOLDS_KEY: {}}

    def _nlu_confidence_below_threshold(self, message: Message) -> tuple[bool, float]:
        intent = message.data[INTENT]
        confidence = intent.get(PREDICTED_CONFIDENCE_KEY)
        needed = max(
            self.component_config["threshold"],
            float(self.component_config[INTENT_THRESHOLDS_KEY].get(intent.get(INTENT_NAME_KEY), 0)),
        )
        return confidence < needed, confidence
