"""The question intents in Rasa's files, generated from the question registry.

``domain.yml`` lists every ``ask_<id>`` intent and ``data/rules/rules.yml`` has an ``or:``
list of them (a question starts the form; mid-form, the form's validation answers it). Each
such list sits between two marker comments and is rewritten from ``img_strategy.questions``
by ``python -m actions.intents`` (``make registry``); ``--check`` fails when one is stale.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from img_strategy import Question

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "# -- question intents: generated from img_strategy/questions.py by `make registry` --"
END = "# -- end of question intents --"


@dataclass(frozen=True)
class GeneratedList:
    """A file whose marked blocks list the question intents, one line each."""

    path: Path
    line: str  # how one intent is written; ``{intent}`` is replaced

    def render(self, text: str) -> str:
        """``text`` with every marked block rewritten from the registry."""
        out: list[str] = []
        lines = iter(text.splitlines(keepends=True))
        blocks = 0
        for line in lines:
            out.append(line)
            if line.strip() != BEGIN:
                continue
            blocks += 1
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + self.line.format(intent=q.intent) + "\n" for q in Question]
            for skipped in lines:
                if skipped.strip() == END:
                    out.append(skipped)
                    break
            else:
                raise ValueError(f"{self.path}: '{BEGIN}' without '{END}'")
        if not blocks:
            raise ValueError(f"{self.path}: no '{BEGIN}' marker")
        return "".join(out)

    def is_current(self) -> bool:
        text = self.path.read_text(encoding="utf-8")
        return self.render(text) == text

    def write(self) -> bool:
        """Rewrite the file if it is stale; True if it changed."""
        text = self.path.read_text(encoding="utf-8")
        rendered = self.render(text)
        if rendered != text:
            self.path.write_text(rendered, encoding="utf-8")
        return rendered != text


def generated_lists(root: Path = ROOT) -> tuple[GeneratedList, ...]:
    return (
        GeneratedList(root / "domain.yml", "- {intent}"),
        GeneratedList(root / "data" / "rules" / "rules.yml", "- intent: {intent}"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is stale")
    args = parser.parse_args(argv)
    stale = [g.path for g in generated_lists() if not g.is_current()]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make registry`", file=sys.stderr)
        return 1 if stale else 0
    for generated in generated_lists():
        if generated.write():
            print(f"updated {generated.path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
