"""Every entry point runs Rasa with the plugin applied: make chat, make serve, a bare
``.venv/bin/rasa``, the cluster, the bench (its advisor; its reference bot stays stock), the
held-out NLU evaluation and the tests that run Rasa in-process."""

from __future__ import annotations

import ast
import re
import subprocess
from importlib.metadata import entry_points
from pathlib import Path

from img_deploy import processes
from img_rasa import plugin

ROOT = Path(__file__).parents[2]
BIN = ROOT / ".venv" / "bin"


def test_the_venv_rasa_command_is_the_project_s():
    # Rasa declares the same script; pip installs the project after its dependencies.
    ours = {e.value for e in entry_points(group="console_scripts", name="rasa")}
    assert "img_rasa.cli:main" in ours
    assert "from img_rasa.cli import main" in (BIN / "rasa").read_text()


def test_the_rasa_command_applies_every_fix_before_rasa_runs():
    code = (
        "import sys; from img_rasa import cli, plugin; sys.argv = ['rasa', '--version']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print('APPLIED', '|'.join(plugin.applied()))"
    )
    out = subprocess.run(
        [str(BIN / "python"), "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    applied = re.search(r"APPLIED (.*)", out).group(1).split("|")
    assert applied == [fix.name for fix in plugin.FIXES]


def test_make_chat_and_make_serve_run_the_project_s_rasa():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^BIN\s*:= \$\(VENV\)/bin$", makefile, re.M)
    assert re.search(r"^RASA\s*:= \$\(BIN\)/rasa$", makefile, re.M)
    for target in ("chat", "serve"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
        assert "$(RASA) shell" in recipe if target == "chat" else "$(RASA) run" in recipe


def test_servers_started_by_the_cluster_bench_and_e2e_tests_run_the_project_s_rasa():
    assert (str(BIN / "rasa"),) == processes.PROJECT_RASA
    assert (str(BIN / "python"), "-m", "rasa") == processes.STOCK_RASA
    # The cluster and the e2e stack call start_rasa without stock=True; only the bench's
    # reference bot (stock Rasa's `rasa init` project) asks for stock Rasa.
    for path in ("img_deploy/cluster.py", "tests/e2e/conftest.py", "bench/run.py"):
        tree = ast.parse((ROOT / path).read_text())
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "start_rasa"
        ]
        assert calls, path
        stock = [c for c in calls if any(k.arg == "stock" for k in c.keywords)]
        assert len(stock) == (1 if path == "bench/run.py" else 0), path
    assert "STOCK_RASA" in (ROOT / "bench" / "reference.py").read_text()


async def test_the_held_out_nlu_evaluation_applies_the_plugin_before_loading_the_model(
    monkeypatch,
):
    import rasa.core.agent

    from img_nlp import evaluate

    calls: list[str] = []

    class Agent:
        @staticmethod
        def load(model: str) -> Agent:
            calls.append(f"load {model}")
            return Agent()

        async def parse_message(self, text: str) -> dict:
            return {"text": text}

    monkeypatch.setattr(plugin, "apply", lambda: calls.append("apply"))
    monkeypatch.setattr(rasa.core.agent, "Agent", Agent)
    assert await evaluate._predict("models/x.tar.gz", ["hi"]) == [{"text": "hi"}]
    assert calls == ["apply", "load models/x.tar.gz"]


def test_every_fix_names_an_existing_equivalence_test():
    for fix in plugin.FIXES:
        path, name = fix.test.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(), fix.test
        assert fix.reason and fix.name
