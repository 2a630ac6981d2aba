"""Command line: advice without the chat, for people who won't chat and for debugging.

img-advisor advise --step2 232 --visa j1 --specialty peds --question programs
img-advisor advise --step1 fail-then-pass --step2 "two twenty" --question chances --json
img-advisor plan --step1 pass --practice 221 --specialty im --today 2026-11-26 --ics plan.ics
img-advisor questions
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from img_strategy import parsing
from img_strategy.engine import advise, missing
from img_strategy.ics import plan_to_ics
from img_strategy.plan import build_plan
from img_strategy.profile import ExamStatus, Profile
from img_strategy.questions import Question
from img_strategy.render import render_text
from img_strategy.tables import RuleTableError, default_rules

_STATUS_WORDS = {
    "pass": ExamStatus.PASSED,
    "passed": ExamStatus.PASSED,
    "fail-then-pass": ExamStatus.FAILED_THEN_PASSED,
    "failed-then-passed": ExamStatus.FAILED_THEN_PASSED,
    "fail": ExamStatus.FAILED,
    "failed": ExamStatus.FAILED,
    "not-taken": ExamStatus.NOT_TAKEN,
}


def _typed(parser: Callable[[str], Any], what: str) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return parser(text)
        except parsing.ParseError as exc:
            raise argparse.ArgumentTypeError(f"{what}: {text!r} ({exc})") from exc

    return convert


def _status(text: str) -> ExamStatus:
    try:
        return _STATUS_WORDS[text.lower()]
    except KeyError as exc:
        raise argparse.ArgumentTypeError(f"one of {', '.join(_STATUS_WORDS)}") from exc


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="img-advisor", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("questions", help="list the questions the advisor answers")
    sub.add_parser("check-rules", help="load and check the rule tables")
    adv = sub.add_parser("advise", help="advice for one profile and question")
    adv.add_argument(
        "--question",
        "-q",
        type=Question,
        choices=list(Question),
        default=Question.CHANCES,
        metavar="QUESTION",  # argparse would list the members as "Question.CHANCES"
        help=", ".join(q.value for q in Question),
    )
    profile_arguments(adv)
    adv.add_argument("--json", action="store_true", help="structured advice as JSON")
    plan = sub.add_parser("plan", help="a dated plan from today to Match Day")
    profile_arguments(plan)
    plan.add_argument("--match-year", type=int, help="the Match to plan for, e.g. 2028")
    plan.add_argument("--ck-booked", type=date.fromisoformat, help="a booked CK, YYYY-MM-DD")
    plan.add_argument("--ics", type=Path, help="also write the plan as a calendar file")
    return parser


def profile_arguments(adv: argparse.ArgumentParser) -> None:
    adv.add_argument("--specialty", type=_typed(parsing.parse_specialty, "specialty"))
    adv.add_argument("--step1", type=_status, help="pass, fail-then-pass, fail, not-taken")
    adv.add_argument("--step1-score", type=_typed(parsing.parse_score, "score"))
    adv.add_argument("--step1-attempts", type=_typed(parsing.parse_attempts, "attempts"))
    adv.add_argument("--step2", type=_typed(parsing.parse_score, "score"), help="CK score")
    adv.add_argument("--step2-status", type=_status)
    adv.add_argument("--step2-attempts", type=_typed(parsing.parse_attempts, "attempts"))
    adv.add_argument(
        "--ck-date",
        type=date.fromisoformat,
        help="when CK was (or will be) taken, YYYY-MM-DD: decides 214-217 and books the plan",
    )
    adv.add_argument("--practice", type=_typed(parsing.parse_score, "score"))
    adv.add_argument("--step3", type=_status)
    adv.add_argument("--visa", type=_typed(parsing.parse_visa, "visa"))
    adv.add_argument("--grad-year", type=_typed(parsing.parse_year, "year"))
    adv.add_argument("--usce-months", type=_typed(parsing.parse_months, "duration"))
    adv.add_argument("--usce-kind", type=_typed(parsing.parse_usce_kind, "USCE kind"))
    adv.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")


def profile_from_args(args: argparse.Namespace) -> Profile:
    return Profile(
        specialty=args.specialty,
        step1=args.step1,
        step1_score=args.step1_score,
        step1_attempts=args.step1_attempts,
        step2=args.step2_status
        or (ExamStatus.PASSED if args.step2 is not None else None)
        or (ExamStatus.NOT_TAKEN if args.practice is not None else None),
        step2_score=args.step2,
        step2_attempts=args.step2_attempts,
        step2_practice=args.practice,
        step2_date=args.ck_date,
        step3=args.step3,
        visa=args.visa,
        graduation_year=args.grad_year,
        usce_months=args.usce_months,
        usce_kind=args.usce_kind,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        default_rules()
    except RuleTableError as exc:
        print(f"rule tables are broken: {exc}", file=sys.stderr)
        return 2
    if args.command == "check-rules":
        rules = default_rules()
        print(f"ok: {len(rules.statements)} statements, {len(rules.figures)} figures")
        return 0
    if args.command == "questions":
        for q in Question:
            needs = ", ".join(f.value for f in q.needs) or "nothing"
            print(f"{q.value:24} {q.title}  (needs: {needs})")
        return 0
    profile = profile_from_args(args)
    if args.command == "plan":
        return _plan(args, profile)
    advice = advise(args.question, profile, today=args.today or date.today())
    if args.json:
        print(advice.to_json())
    else:
        print(render_text(advice))
        gaps = missing(args.question, profile)
        if gaps:
            print("\nMore precise with: " + ", ".join(g.value for g in gaps))
    return 0


def _plan(args: argparse.Namespace, profile: Profile) -> int:
    plan = build_plan(
        profile,
        args.today or date.today(),
        match_year=args.match_year,
        ck_booked=args.ck_booked or profile.step2_date,
    )
    print("\n\n".join(plan.messages()))
    if args.ics:
        args.ics.write_bytes(plan_to_ics(plan))
        print(f"\ncalendar: {args.ics}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
