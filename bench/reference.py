"""The reference bot: Rasa's stock `rasa init` project (its template files, untouched,
with Rasa's default config), trained on this machine into build/reference_bot."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import rasa.cli

from img_deploy.processes import ROOT, STOCK_RASA, base_env

TEMPLATE = Path(rasa.cli.__file__).parent / "initial_project"
PROJECT = ROOT / "build" / "reference_bot"
MODEL = PROJECT / "models" / "reference.tar.gz"


def prepare() -> Path:
    """A fresh copy of the `rasa init` template."""
    shutil.rmtree(PROJECT, ignore_errors=True)
    shutil.copytree(TEMPLATE, PROJECT)
    return PROJECT


def train() -> float:
    """Train from scratch; seconds taken."""
    prepare()
    started = time.monotonic()
    subprocess.run(
        [*STOCK_RASA, "train", "--fixed-model-name", "reference", "--out", "models"],
        cwd=PROJECT,
        env=base_env(),
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started
