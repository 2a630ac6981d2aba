"""The linear intent classifier: trains, saves plain arrays, loads them, predicts as sklearn,
and classifies each question of a message on its own words."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix

from img_nlp.intent_classifier import QUESTION_RANKING_LENGTH, LinearIntentClassifier
from img_nlp.routing import QUESTIONS_KEY

VOCABULARY = ("step", "ck", "visa", "j1", "h1b", "programs", "how", "many", "hi")


def _message(words: str, intent: str | None = None) -> Message:
    """A message with bag-of-words sentence features over VOCABULARY (as a featurizer sets)."""
    counts = np.array([[words.split().count(w) for w in VOCABULARY]], dtype=float)
    message = Message(data={TEXT: words, **({INTENT: intent} if intent else {})})
    message.add_features(Features(coo_matrix(counts), "sentence", TEXT, "bow"))
    return message


TRAINING = [
    ("hi", "greet"),
    ("hi hi", "greet"),
    ("how many programs", "ask_programs"),
    ("many programs how", "ask_programs"),
    ("visa j1", "ask_visa"),
    ("visa h1b", "ask_visa"),
    ("step ck", "ask_steps"),
    ("ck step step", "ask_steps"),
]


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="intent_classifier")


def _trained(storage: LocalModelStorage, resource: Resource) -> LinearIntentClassifier:
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, resource, _context()
    )
    classifier.train(TrainingData([_message(t, i) for t, i in TRAINING]))
    return classifier


def test_it_predicts_the_training_intents_and_ranks_them(storage: LocalModelStorage) -> None:
    classifier = _trained(storage, Resource("linear"))
    messages = [_message("how many programs"), _message("j1 visa"), _message("hi")]
    classifier.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["ask_programs", "ask_visa", "greet"]
    ranking = messages[0].get("intent_ranking")
    assert ranking[0]["name"] == "ask_programs"
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)


def test_its_probabilities_are_scikit_learns(storage: LocalModelStorage) -> None:
    classifier = _trained(storage, Resource("linear"))
    messages = [_message(t) for t, _ in TRAINING] + [_message("ck visa how")]
    expected = classifier.clf.predict_proba(classifier._create_X(messages))
    assert classifier.classes == tuple(classifier.clf.classes_)
    np.testing.assert_allclose(classifier.probabilities(messages), expected, rtol=1e-9)


def test_several_featurizers_are_read_side_by_side_in_rasas_order(
    storage: LocalModelStorage,
) -> None:
    # Scores are read from each featurizer's own row, not from Rasa's stacked matrix: the
    # blocks must line up with the stacked columns the weights were trained on.
    def two_featurizers(words: str, intent: str | None = None) -> Message:
        message = _message(words, intent)
        lengths = np.array([[float(len(w)) for w in words.split()[:3]] + [0.0] * 3])[:, :3]
        message.add_features(Features(coo_matrix(lengths), "sentence", TEXT, "lengths"))
        return message

    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, Resource("two"), _context()
    )
    classifier.train(TrainingData([two_featurizers(t, i) for t, i in TRAINING]))
    messages = [two_featurizers("how many visa"), two_featurizers("hi step")]
    expected = classifier.clf.predict_proba(classifier._create_X(messages))
    np.testing.assert_allclose(classifier.probabilities(messages), expected, rtol=1e-9)


def test_a_loaded_model_predicts_the_same_without_pickle(storage: LocalModelStorage) -> None:
    resource = Resource("linear")
    trained = _trained(storage, resource)
    with storage.read_from(resource) as directory:
        saved = sorted(p.name for p in directory.iterdir())
        with np.load(directory / saved[0], allow_pickle=False) as arrays:
            assert {"classes", "weights", "bias"} <= set(arrays.files)
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, resource, _context()
    )
    messages = [_message("step ck"), _message("hi how")]
    np.testing.assert_allclose(
        loaded.probabilities(messages), trained.probabilities(messages), rtol=1e-12
    )


def test_two_intents_give_the_same_probabilities_as_scikit_learn(
    storage: LocalModelStorage,
) -> None:
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, Resource("binary"), _context()
    )
    classifier.train(TrainingData([_message(t, i) for t, i in TRAINING if i != "ask_visa"][:4]))
    messages = [_message("hi"), _message("how many")]
    expected = classifier.clf.predict_proba(classifier._create_X(messages))
    np.testing.assert_allclose(classifier.probabilities(messages), expected, rtol=1e-9)


def test_an_untrained_model_leaves_messages_alone(storage: LocalModelStorage) -> None:
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, Resource("never"), _context()
    )
    message = _message("hi")
    loaded.process([message])
    assert message.get(INTENT) is None


def _tokenized(text: str) -> Message:
    """A message as the featurizers leave it: tokens, one bag-of-words row per token
    (sequence) and their sum (sentence), from the same origin."""
    tokens = [Token(m.group(), m.start()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    words = [t.text.lower() for t in tokens]
    rows = np.array([[float(w == v) for v in VOCABULARY] for w in words])
    message = Message(data={TEXT: text, TOKENS_NAMES[TEXT]: tokens})
    message.add_features(Features(coo_matrix(rows), FEATURE_TYPE_SEQUENCE, TEXT, "bow"))
    message.add_features(Features(coo_matrix(rows.sum(axis=0)), "sentence", TEXT, "bow"))
    return message


def test_each_question_of_a_message_is_classified_on_its_own_words(
    storage: LocalModelStorage,
) -> None:
    classifier = _trained(storage, Resource("linear"))
    message = _tokenized("hi hi. how many programs and which visa j1 or h1b")
    classifier.process([message])
    questions = message.get(QUESTIONS_KEY)
    assert [q["text"] for q in questions] == ["how many programs", "and which visa j1 or h1b"]
    assert [q["intent_ranking"][0]["name"] for q in questions] == ["ask_programs", "ask_visa"]
    assert message.get(INTENT)["name"] not in ("ask_programs", "ask_visa")  # the greeting wins


def test_a_questions_features_are_those_of_its_words_typed_alone(
    storage: LocalModelStorage,
) -> None:
    classifier = _trained(storage, Resource("linear"))
    classifier.config["context_weight"] = 0  # the question's own words only
    whole, alone = _tokenized("hi. which visa j1 or h1b?"), _tokenized("which visa j1 or h1b?")
    classifier.process([whole, alone])
    (question,) = whole.get(QUESTIONS_KEY)
    assert question["intent_ranking"] == alone.get("intent_ranking")[:QUESTION_RANKING_LENGTH]


def test_facts_alone_have_no_questions(storage: LocalModelStorage) -> None:
    classifier = _trained(storage, Resource("linear"))
    message = _tokenized("step ck, visa j1")
    classifier.process([message])
    assert message.get(QUESTIONS_KEY) == []


def test_the_whole_message_says_what_a_question_of_few_words_is_about(
    storage: LocalModelStorage,
) -> None:
    classifier = _trained(storage, Resource("linear"))
    classes = classifier.classes
    whole = np.array([1.0 if c == "ask_visa" else 0.0 for c in classes])
    own = np.full((1, len(classes)), 1 / len(classes))
    weighed = classifier.in_context(own, whole + 1e-6)
    assert classes[int(np.argmax(weighed))] == "ask_visa"
    assert weighed.sum() == pytest.approx(1.0)
    classifier.config["context_weight"] = 0
    np.testing.assert_allclose(classifier.in_context(own, whole + 1e-6), own)
