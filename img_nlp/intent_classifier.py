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
* Features are stacked once for a whole batch instead of per message.

Probabilities are computed here from the saved weights (a softmax over ``X @ W.T + b``),
so loading needs no scikit-learn object and the saved file cannot run code.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, vstack

logger = logging.getLogger(__name__)

_WEIGHTS_FILE = "weights.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Multinomial logistic regression over the sentence features, saved as plain arrays."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults, plus ``C`` (inverse regularisation strength)."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

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
        scores = self._create_X(messages) @ self._by_feature + self._bias
        scores = np.asarray(scores) - np.max(scores, axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self._classes)

    def process(self, messages: list[Message]) -> list[Message]:
        """Set ``intent`` and ``intent_ranking`` as Rasa's classifiers do."""
        if not messages or self._weights.size == 0:
            return messages
        ranking_length = self.config[RANKING_LENGTH]
        for message, row in zip(messages, self.probabilities(messages), strict=True):
            order = np.argsort(-row, kind="stable")
            if ranking_length > 0:
                order = order[:ranking_length]
            ranking = [{"name": str(self._classes[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
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
