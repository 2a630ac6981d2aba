from __future__ import annotations

import json

from img_strategy.cli import main


def test_cli_prints_rendered_advice(capsys):
    code = main(
        [
            "advise",
            "--step2",
            "232",
            "--visa",
            "j1",
            "--specialty",
            "peds",
            "--question",
            "programs",
            "--today",
            "2026-11-23",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Apply to 80-100 Pediatrics programs.")
    assert "Why I said that:" in out and "Case 2" in out


def test_cli_json_and_word_scores(capsys):
    code = main(
        [
            "advise",
            "--step1",
            "fail-then-pass",
            "--step2",
            "two twenty",
            "--specialty",
            "pediatrics",
            "--question",
            "programs",
            "--json",
            "--today",
            "2026-11-23",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["program_count"] == {"low": 100, "high": None}


def test_cli_reports_what_would_make_the_answer_precise(capsys):
    main(["advise", "--question", "chances", "--today", "2026-11-23"])
    assert "More precise with: specialty, step1, step2_score" in capsys.readouterr().out


def test_cli_rejects_bad_values(capsys):
    try:
        main(["advise", "--step2", "350"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "score" in capsys.readouterr().err


def test_cli_ck_date_gives_one_reading_and_books_the_plan(capsys):
    # `advise --specialty im --step1 pass --step2 216` hedges with both readings (#19);
    # with the exam date there is one (F3: 214 until 30 June 2025).
    base = ["--specialty", "im", "--step1", "pass", "--today", "2026-11-26"]
    assert main(["advise", *base, "--step2", "216", "--ck-date", "2025-06-10"]) == 0
    out = capsys.readouterr().out
    assert "You took CK in June 2025, when the pass mark was 214" in out
    assert "if you took it before" not in out
    assert main(["plan", *base, "--step2-status", "not-taken", "--ck-date", "2027-03-15"]) == 0
    assert "your booked CK in March 2027" in capsys.readouterr().out
