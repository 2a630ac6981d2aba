"""The buttons of the bot's domain responses (the form's questions live in domain.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DOMAIN_FILE = Path(__file__).parents[2] / "domain.yml"


@lru_cache(maxsize=1)
def response_button_sets() -> tuple[tuple[dict[str, Any], ...], ...]:
    """Each domain response variant's buttons, for the channels' size checks."""
    responses = yaml.safe_load(DOMAIN_FILE.read_text())["responses"]
    return tuple(
        tuple(variant["buttons"])
        for variants in responses.values()
        for variant in variants
        if variant.get("buttons")
    )
