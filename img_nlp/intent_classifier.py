"""A linear intent classifier: the pipeline's intent model, in place of DIET.

On this project's data (about 1,100 examples, 49 intents, sparse word and character n-gram
counts) a multinomial logistic regression is as accurate on the held-out sets as DIET and
trains in about a second instead of several minutes, and a prediction is one sparse
matrix product instead of a TensorFlow graph call (issue #20 has the measurements).

Rasa ships ``LogisticRegressionClassifier``; this class keeps its training and its
``intent`` / ``intent_ranking`` output, and changes two things that cost time, not accuracy:

* The model is saved as plain arrays (``numpy.savez`` without pickling) and loaded back
  with ``allow_pickle=False``, instead of through skops, whose type scan of every imported
  module took longer than the training itself (about 25 s per save).
* Features are stacked once for a whole batch instead of per message, and at prediction
  not stacked at all: a message's scores are the sums of the weight rows its non-zero
  features pick, read straight from each featurizer's own matrix (Rasa's stacking of the
  sparse features cost several times the product itself).

Probabilities are computed here from the saved weights (a softmax over ``X @ W.T + b``),
so loading needs no scikit-learn object and the saved file cannot run code.

Each question a message asks is also classified on its own words (``questions`` in the
parse result): people type facts and two or three questions in one line ("s1 pass ck 241
j1, what are my chances for IM and how many programs"), and the whole line's intent can
name only one of them, or a neighbour pulled off course by the facts. The parser says where
the questions are (``img_strategy.parsing.question_spans``); a question's features are the
sum of its tokens' rows of each sentence-level featurizer, which is what that featurizer
gives for the question typed alone.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import coo_matrix, csr_matrix, vstack

from img_nlp.routing import INTENT_SPLIT, QUESTIONS_KEY
from img_strategy.parsing import QuestionSpan, question_spans

logger = logging.getLogger(__name__)

_WEIGHTS_FILE = "weights.npz"
# How many intents each question's ranking keeps.
QUESTION_RANKING_LENGTH = 3
# A question's own words are often few ("is that enough to match?", "what do I do now?"):
# its ranking is its own probabilities times the whole message's support for the same
# question raised to this power, so that the facts around it ("4 interview invites so
# far") say what it is about, while a second question the whole line ranks low still wins
# its own part. 0 ignores the context, 1 weighs it as much as the question's words.
CONTEXT_WEIGHT = 0.5


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Multinomial logistic regression over the sentence features, saved as plain arrays."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults, plus ``C`` (inverse regularisation strength) and
        ``context_weight`` (how much a question's ranking leans on the whole message's)."""
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": 1.0,
            "context_weight": CONTEXT_WEIGHT,
        }

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])
        self._use(np.array([], dtype=str), np.zeros((0, 0)), np.zeros(0))

    def _use(self, classes: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> None:
        self._classes, self._weights, self._bias = classes, weights, bias
        # The product below takes the weights feature-major; a C-ordered copy made once saves
        # scipy a copy of the whole matrix on every message (0.27 ms against 0.014 ms here).
        self._by_feature = np.ascontiguousarray(weights.T)

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """One row per message: its sparse sentence features (the featurizers' sums)."""
        rows = []
        for message in messages:
            _, sentence = message.get_sparse_features(attribute=TEXT)
            rows.append(
                csr_matrix(sentence.features) if sentence is not None else csr_matrix((1, 0))
            )
        return vstack(rows, format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the regression, then keep only its weights (see the module docstring)."""
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            return self._resource
        self.clf.fit(X, y)
        weights, bias = self.clf.coef_, self.clf.intercept_
        if len(self.clf.classes_) == 2:
            # scikit-learn keeps one row for a binary problem; two opposite half rows give
            # the same probabilities through the softmax below.
            weights = np.vstack([-weights[0] / 2, weights[0] / 2])
            bias = np.array([-bias[0] / 2, bias[0] / 2])
        self._use(np.asarray(self.clf.classes_, dtype=str), weights, bias)
        self.persist()
        return self._resource

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        """Softmax of the linear scores, one row per message, columns in ``classes`` order."""
        rows = [self._scores(_sentence_blocks(message)) for message in messages]
        if any(row is None for row in rows):
            # Featurizers that do not fit the weights: Rasa's stacking, which says why.
            return self._softmax(self._create_X(messages))
        return _softmax_rows(np.vstack(rows))

    def _scores(self, blocks: list[tuple[np.ndarray, np.ndarray, int]]) -> np.ndarray | None:
        """The linear scores of one row given as featurizer blocks of (columns, values,
        width), side by side in the order Rasa stacks them; None when they do not add up
        to the weights' width."""
        scores = self._bias.astype(float)
        offset = 0
        for columns, values, width in blocks:
            if len(columns):
                scores = scores + values @ self._by_feature[offset + columns]
            offset += width
        return scores if offset == self._by_feature.shape[0] else None

    def _softmax(self, X: csr_matrix) -> np.ndarray:
        return _softmax_rows(np.asarray(X @ self._by_feature + self._bias))

    def _ranking(self, row: np.ndarray, length: int) -> list[dict[str, Any]]:
        order = np.argsort(-row, kind="stable")
        if length > 0:
            order = order[:length]
        return [{"name": str(self._classes[i]), "confidence": float(row[i])} for i in order]

    def in_context(self, own: np.ndarray, whole: np.ndarray) -> np.ndarray:
        """Rows of a message's questions' probabilities, each weighed by the whole
        message's support for its intents (``CONTEXT_WEIGHT``). The support for an intent
        is the probability of every intent sharing a question with it, so that a
        multi-intent label of the whole line ("ask_chances+ask_programs") supports each of
        its questions."""
        support = _shared_questions(self.classes) @ whole
        weighed = own * np.power(support, float(self.config["context_weight"]))
        return weighed / weighed.sum(axis=1, keepdims=True)

    def questions(self, message: Message, whole: np.ndarray) -> list[dict[str, Any]]:
        """Each question of the message (``question_spans``) with its own intent ranking
        in the context of the whole message's probabilities ``whole``; none when the
        featurizers left no per-token rows to add up."""
        text = message.get(TEXT) or ""
        spans = question_spans(text)
        if not spans or self._weights.size == 0:
            return []
        rows = []
        for span in spans:
            blocks = _span_blocks(message, span)
            scores = self._scores(blocks) if blocks is not None else None
            if blocks is not None and scores is None:
                return []  # featurizers that do not add up per token: nothing to say
            if scores is not None:
                rows.append((span, scores))
        if not rows:
            return []
        own = _softmax_rows(np.vstack([scores for _, scores in rows]))
        return [
            {
                "start": span.start,
                "end": span.end,
                "text": text[span.start : span.end],
                "intent_ranking": self._ranking(probabilities, QUESTION_RANKING_LENGTH),
            }
            for (span, _), probabilities in zip(rows, self.in_context(own, whole), strict=True)
        ]

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self._classes)

    def process(self, messages: list[Message]) -> list[Message]:
        """Set ``intent`` and ``intent_ranking`` as Rasa's classifiers do."""
        if not messages or self._weights.size == 0:
            return messages
        ranking_length = self.config[RANKING_LENGTH]
        for message, row in zip(messages, self.probabilities(messages), strict=True):
            ranking = self._ranking(row, ranking_length)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            message.set(QUESTIONS_KEY, self.questions(message, row), add_to_output=True)
        return messages

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(
                model_dir / _WEIGHTS_FILE,
                classes=self._classes,
                weights=self._weights,
                bias=self._bias,
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with (
                model_storage.read_from(resource) as model_dir,
                np.load(model_dir / _WEIGHTS_FILE, allow_pickle=False) as saved,
            ):
                component._use(saved["classes"], saved["weights"], saved["bias"])
        except (ValueError, FileNotFoundError):
            # Rasa loads every component of an NLU-less model too; an untrained one predicts
            # nothing rather than failing the model load.
            logger.debug("no trained weights for %s", execution_context.node_name)
        return component


@lru_cache(maxsize=4)
def _shared_questions(classes: tuple[str, ...]) -> np.ndarray:
    """1 where two intents share a question ("ask_chances" and "ask_chances+ask_programs",
    every intent with itself), else 0."""
    parts = [frozenset(c.split(INTENT_SPLIT)) for c in classes]
    return np.array([[float(bool(a & b)) for b in parts] for a in parts])


def _softmax_rows(scores: np.ndarray) -> np.ndarray:
    scores = scores - np.max(scores, axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def _text_features(message: Message, kind: str) -> list[Any]:
    """The message's sparse TEXT features of one type, in the order Rasa stacks them."""
    return [f for f in message.features if f.attribute == TEXT and f.is_sparse() and f.type == kind]


def _sentence_blocks(message: Message) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Each featurizer's sentence row as (columns, values, width): the row Rasa would
    stack, without stacking it."""
    blocks = []
    for feature in _text_features(message, FEATURE_TYPE_SENTENCE):
        row = coo_matrix(feature.features)
        blocks.append((row.col, row.data.astype(float), row.shape[1]))
    return blocks


def _span_blocks(
    message: Message, span: QuestionSpan
) -> list[tuple[np.ndarray, np.ndarray, int]] | None:
    """The sentence features the message's featurizers would give for the text of ``span``
    alone: per featurizer, the sum of its sequence rows over the span's tokens (a bag of
    word or character n-gram counts adds up token by token), as :func:`_sentence_blocks`
    gives them. None when the span holds no token or a featurizer has no rows."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    inside = np.array(
        [i for i, t in enumerate(tokens) if t.start >= span.start and t.end <= span.end]
    )
    if not len(inside):
        return None
    sequences = {str(f.origin): f.features for f in _text_features(message, FEATURE_TYPE_SEQUENCE)}
    blocks = []
    for feature in _text_features(message, FEATURE_TYPE_SENTENCE):
        sequence = sequences.get(str(feature.origin))
        if sequence is None or sequence.shape[0] != len(tokens):
            return None
        rows = coo_matrix(sequence)
        picked = np.isin(rows.row, inside)
        columns, values = rows.col[picked], rows.data[picked].astype(float)
        blocks.append((columns, values, rows.shape[1]))
    return blocks
