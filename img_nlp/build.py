"""Build the spaCy pipeline that Rasa's ``SpacyNLP`` loads (``make setup`` runs this).

Phrase patterns come from ``img_strategy/vocabulary.yml`` (the same vocabulary the parser
normalises with); number-shaped patterns come from ``img_nlp/patterns/*.jsonl``.

    python -m img_nlp.build build/spacy_pipeline
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

import img_nlp.components  # noqa: F401  (registers the context component)
from img_strategy.parsing import Label, vocabulary

PATTERN_DIR = Path(__file__).parent / "patterns"
ENTITY_LABELS = tuple(label.value for label in Label)

# vocabulary.yml section -> entity label
_PHRASE_KINDS = {
    "specialties": Label.SPECIALTY,
    "visas": Label.VISA,
    "exams": Label.EXAM,
    "results": Label.RESULT,
    "usce_types": Label.USCE_TYPE,
}


def _phrase_patterns(nlp: Language) -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    vocab = vocabulary()
    for kind, label in _PHRASE_KINDS.items():
        for canonical, aliases in sorted(vocab.phrases(kind).items()):
            for alias in sorted(aliases):
                exact = alias.startswith("=")
                words = [t.text for t in nlp.make_doc(alias[1:] if exact else alias)]
                key = "ORTH" if exact else "LOWER"
                tokens = [{key: w if exact else w.lower()} for w in words]
                patterns.append({"label": label.value, "pattern": tokens, "id": canonical})
    return patterns


def load_patterns(nlp: Language) -> list[dict[str, Any]]:
    """Every EntityRuler pattern: vocabulary phrases plus the JSONL pattern files."""
    patterns = _phrase_patterns(nlp)
    for path in sorted(PATTERN_DIR.glob("*.jsonl")):
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                patterns.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path.name}:{line_no}: bad pattern: {exc}") from exc
    return patterns


# spaCy keeps a final period on a word ending in a capital ("H1B.", "S1 P."), as it would
# on an abbreviation, which hides the word from every pattern. Split it off, except after
# dotted abbreviations ("U.S.", "U.S.A.").
_CAPITAL_PERIOD = r"(?<![.][A-Z])(?<=[A-Z])\."


def build_pipeline() -> Language:
    nlp = spacy.blank("en")
    suffixes = [*nlp.Defaults.suffixes, _CAPITAL_PERIOD]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    # Overlapping matches resolve to the longest span, so "6 years ago" beats "6 years" and
    # "100 programs" (not an entity label Rasa keeps) beats the bare score "100".
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(load_patterns(nlp))  # type: ignore[attr-defined]
    nlp.add_pipe("img_contextual_specialty")
    nlp.meta["name"] = "img_advisor_entities"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English + EntityRuler built from the project's patterns."
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="directory to write the pipeline to")
    out = parser.parse_args().out
    nlp = build_pipeline()
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    count = len(nlp.get_pipe("entity_ruler").patterns)  # type: ignore[attr-defined]
    print(f"spaCy pipeline with {count} patterns written to {out}")


if __name__ == "__main__":
    main()
