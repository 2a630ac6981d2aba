"""Held-out NLU evaluation: intent accuracy and entity F1, with thresholds that fail the build.

    python -m img_nlp.evaluate --model models/advisor.tar.gz --data tests/nlu_heldout.yml

Entities are scored strictly: a prediction counts only if label, start and end all match
the hand annotation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MIN_INTENT_ACCURACY = 0.92
MIN_ENTITY_F1 = 0.95


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: frozenset[tuple[str, int, int]]


def load_examples(path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        Example(
            m.get("text"),
            m.get("intent"),
            frozenset((e["entity"], e["start"], e["end"]) for e in m.get("entities") or []),
        )
        for m in data.intent_examples
    ]


async def _predict(model: str, texts: list[str]) -> list[dict]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from img_rasa import plugin

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    plugin.apply()  # Rasa runs in-process here: the same Rasa as every entry point
    agent = Agent.load(model)
    return [await agent.parse_message(text) for text in texts]


def evaluate(model: str, examples: list[Example]) -> dict:
    parsed = asyncio.run(_predict(model, [e.text for e in examples]))
    correct = 0
    tp = fp = fn = 0
    confusions: Counter[tuple[str, str]] = Counter()
    entity_errors: list[dict] = []
    for example, result in zip(examples, parsed, strict=True):
        predicted_intent = (result.get("intent") or {}).get("name")
        if predicted_intent == example.intent:
            correct += 1
        else:
            confusions[(example.intent, str(predicted_intent))] += 1
        predicted = frozenset(
            (e["entity"], e["start"], e["end"]) for e in result.get("entities") or []
        )
        tp += len(predicted & example.entities)
        fp += len(predicted - example.entities)
        fn += len(example.entities - predicted)
        if predicted != example.entities:
            entity_errors.append(
                {
                    "text": example.text,
                    "missed": sorted(example.entities - predicted),
                    "extra": sorted(predicted - example.entities),
                }
            )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "examples": len(examples),
        "intent_accuracy": correct / len(examples),
        "entity_precision": precision,
        "entity_recall": recall,
        "entity_f1": f1,
        "entities_gold": tp + fn,
        "intent_confusions": [
            {"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common()
        ],
        "entity_errors": entity_errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=Path("results/nlu"))
    args = parser.parse_args()
    report = evaluate(args.model, load_examples(args.data))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "heldout_report.json").write_text(json.dumps(report, indent=2))
    print(
        f"held-out NLU: {report['examples']} utterances, "
        f"intent accuracy {report['intent_accuracy']:.3f} (min {MIN_INTENT_ACCURACY}), "
        f"entity F1 {report['entity_f1']:.3f} (min {MIN_ENTITY_F1}; "
        f"P {report['entity_precision']:.3f} R {report['entity_recall']:.3f}, "
        f"{report['entities_gold']} entities)"
    )
    for c in report["intent_confusions"]:
        print(f"  intent {c['gold']} -> {c['predicted']} x{c['count']}")
    for err in report["entity_errors"]:
        print(f"  entities in {err['text']!r}: missed {err['missed']} extra {err['extra']}")
    ok = report["intent_accuracy"] >= MIN_INTENT_ACCURACY and report["entity_f1"] >= MIN_ENTITY_F1
    print("held-out NLU: " + ("PASS" if ok else "FAIL: below threshold"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
