"""The README's example plan is what `make readme-media` would write today."""

from __future__ import annotations

import contextlib
import io

from img_deploy.readme_media import PLAN_ARGS, PLAN_DOC, README
from img_strategy.cli import main


def test_readme_plan_is_current():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["plan", *PLAN_ARGS]) == 0
    block = "```text\n" + out.getvalue().rstrip() + "\n```\n"
    assert block in README.read_text(encoding="utf-8"), "regenerate with: make readme-media"
    assert block in PLAN_DOC.read_text(encoding="utf-8")
