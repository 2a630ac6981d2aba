"""Free text to profile facts: the one place where "CK 228", "twice" or "J1" are read.

Two layers use it: the spaCy pipeline finds *mentions* (labelled spans, built from the same
``vocabulary.yml``), and :func:`facts_from_mentions` turns them into validated profile
changes, pairing each score, result and attempt count with the exam it belongs to. The
command line uses the single-value parsers directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from img_strategy.asked import Asked, Uncovered
from img_strategy.passmarks import CkResult, read_ck
from img_strategy.profile import ExamStatus, Field, UsceKind, Visa
from img_strategy.tables import SCORE_MAX, SCORE_MIN, Rules, default_rules

VOCABULARY_FILE = Path(__file__).parent / "vocabulary.yml"

# Input sanity limits (not advice): a graduate applying to residency, a plausible career.
MAX_YEARS_SINCE_GRADUATION = 45
MAX_USCE_MONTHS = 120


class Exam(str, Enum):
    STEP1 = "step1"
    STEP2 = "step2"
    STEP3 = "step3"
    PRACTICE = "practice"  # NBME / UWSA self-assessments for Step 2 CK

    @property
    def label(self) -> str:
        return {
            Exam.STEP1: "Step 1",
            Exam.STEP2: "Step 2 CK",
            Exam.STEP3: "Step 3",
            Exam.PRACTICE: "practice exam",
        }[self]


class Result(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_PASSED = "not_passed"  # failed and not passed since
    NOT_TAKEN = "not_taken"
    FIRST_ATTEMPT = "first_attempt"


class Label(str, Enum):
    """Entity labels produced by the spaCy pipeline (and used as Rasa entity names)."""

    SPECIALTY = "specialty"
    EXAM = "exam"
    SCORE = "score"
    RESULT = "exam_result"
    ATTEMPTS = "attempts"
    VISA = "visa"
    GRAD_YEAR = "grad_year"
    YEARS_AGO = "years_since_grad"
    DURATION = "usce_duration"
    USCE_TYPE = "usce_type"


class ParseError(ValueError):
    """Text that cannot be read as the requested kind of value."""


@dataclass(frozen=True)
class Mention:
    """A labelled span of the user's message (``text`` is ``message[start:end]``). Plain
    values: whatever finds the spans (spaCy here, Rasa's entities in the actions) converts
    to this shape itself."""

    label: Label
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Problem:
    """A value the user gave that cannot be stored, and why."""

    code: str  # statement id suffix in statements.yml: input.<code>
    value: str = ""
    exam: Exam | None = None


@dataclass(frozen=True)
class ParsedFacts:
    """Profile changes read from one message, plus anything that was refused."""

    changes: dict[str, Any] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.changes)


# --------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True)
class Vocabulary:
    aliases: dict[str, dict[str, str]]  # kind -> lowercased alias -> canonical
    exact: dict[str, dict[str, str]]  # kind -> case-sensitive alias -> canonical
    numbers: dict[str, int]
    attempt_words: dict[str, int]

    def lookup(self, kind: str, text: str) -> str | None:
        cleaned = " ".join(text.strip().split())
        if cleaned in self.exact.get(kind, {}):
            return self.exact[kind][cleaned]
        return self.aliases.get(kind, {}).get(_fold(cleaned))

    def lookup_any_case(self, kind: str, text: str) -> str | None:
        """Like :meth:`lookup`, but case-sensitive aliases match in any case too: for spans
        the NLU layer has already judged by context (lowercase "im" after "match")."""
        found = self.lookup(kind, text)
        if found is not None:
            return found
        folded = _fold(text)
        for alias, canonical in self.exact.get(kind, {}).items():
            if _fold(alias) == folded:
                return canonical
        return None

    def phrases(self, kind: str) -> dict[str, list[str]]:
        """canonical -> aliases (exact-case ones prefixed with '='), for pattern building."""
        out: dict[str, list[str]] = {}
        for alias, canonical in self.aliases.get(kind, {}).items():
            out.setdefault(canonical, []).append(alias)
        for alias, canonical in self.exact.get(kind, {}).items():
            out.setdefault(canonical, []).append("=" + alias)
        return out


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    with VOCABULARY_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    aliases: dict[str, dict[str, str]] = {}
    exact: dict[str, dict[str, str]] = {}
    for kind in (
        "specialties",
        "visas",
        "exams",
        "results",
        "usce_types",
        "visa_replies",
        "exam_replies",
    ):
        for canonical, words in data[kind].items():
            for word in words:
                word = str(word)
                if word.startswith("="):
                    exact.setdefault(kind, {})[word[1:]] = canonical
                else:
                    aliases.setdefault(kind, {})[_fold(word)] = canonical
    numbers = {str(k): int(v) for k, v in data["numbers"].items()}
    attempts = {str(k): int(v) for k, v in data["attempt_words"].items()}
    return Vocabulary(aliases, exact, numbers, attempts)


# --------------------------------------------------------------------------------------------
# Single values


def parse_number(text: str) -> int:
    """A whole number written as digits or words: "235", "two thirty five", "two hundred
    and thirty-five", "six". Decimals and negatives raise :class:`ParseError`."""
    cleaned = _fold(text).replace(",", "")
    if re.fullmatch(r"-\s*\d+(\.\d+)?", cleaned):
        raise ParseError("negative")
    if re.fullmatch(r"\d+\.\d+", cleaned):
        raise ParseError("decimal")
    if re.fullmatch(r"\d+", cleaned):
        return int(cleaned)
    words = [w for w in re.split(r"[\s-]+", cleaned) if w and w != "and"]
    if not words:
        raise ParseError("empty")
    numbers = vocabulary().numbers
    current = 0
    for i, word in enumerate(words):
        if word == "hundred":
            current = (current or 1) * 100
        elif word in numbers:
            value = numbers[word]
            # "two thirty five": a leading digit word followed by tens means hundreds.
            if i == 0 and len(words) > 1 and value < 10 and words[1] != "hundred":
                nxt = numbers.get(words[1], 0)
                if nxt >= 10:
                    current = value * 100
                    continue
            current += value
        elif word.isdecimal():  # not isdigit(): "¹" is a digit int() cannot read
            current += int(word)
        else:
            raise ParseError(f"not a number: {word}")
    return current


def parse_score(text: str) -> int:
    """A USMLE three-digit score; must be a whole number within the 1-300 scale (F2)."""
    value = parse_number(text)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ParseError("out_of_range")
    return value


def parse_attempts(text: str) -> int:
    """How many times: "once", "twice", "2 attempts", "second attempt", "three times"."""
    folded = _fold(text)
    words = vocabulary().attempt_words
    for token in re.split(r"[\s-]+", folded):
        if token in words:
            return words[token]
    digits = re.search(r"\d+", folded)
    if digits:
        return int(digits.group())
    for token in re.split(r"[\s-]+", folded):
        if token in vocabulary().numbers and vocabulary().numbers[token] > 0:
            return vocabulary().numbers[token]
    raise ParseError(f"not an attempt count: {text}")


def _canonical(kind: str, text: str, *, any_case: bool = False) -> str:
    """The canonical value of a vocabulary word, or :class:`ParseError`."""
    vocab = vocabulary()
    value = vocab.lookup_any_case(kind, text) if any_case else vocab.lookup(kind, text)
    if value is None:
        raise ParseError(f"unknown {kind}: {text}")
    return value


def parse_visa(text: str) -> Visa:
    return Visa(_canonical("visas", text))


def parse_specialty(text: str) -> str:
    """Canonical specialty id; exact-case aliases match in any case here, because the NLU
    layer has already judged a lowercase "im" by its context."""
    return _canonical("specialties", text, any_case=True)


def parse_exam(text: str) -> Exam:
    return Exam(_canonical("exams", text))


def parse_result(text: str) -> Result:
    return Result(_canonical("results", text))


def parse_usce_kind(text: str) -> UsceKind:
    return UsceKind(_canonical("usce_types", text))


def parse_year(text: str) -> int:
    """A calendar year: "2019", "'19", "19" (two digits mean 20xx)."""
    digits = re.sub(r"[^\d]", "", text)
    if len(digits) == 4:
        return int(digits)
    if len(digits) == 2:
        return 2000 + int(digits)
    raise ParseError(f"not a year: {text}")


def parse_years_ago(text: str) -> int:
    """ "6 years ago", "six yrs back" -> 6."""
    match = re.match(r"\s*(\S+(?:\s+\S+)?)\s+(?:years?|yrs?|y)\b", _fold(text))
    if not match:
        raise ParseError(f"not a duration in years: {text}")
    return parse_number(match.group(1))


def parse_months(text: str) -> int:
    """A duration in whole months: "3 months", "6 weeks" (rounded), "1 year", "a month"."""
    folded = _fold(text)
    match = re.match(r"\s*(.+?)\s*(months?|mos?|mnths?|weeks?|wks?|years?|yrs?)\b", folded)
    if not match:
        raise ParseError(f"not a duration: {text}")
    amount_text, unit = match.groups()
    amount = parse_number(amount_text)
    if unit.startswith(("w",)):
        return max(1, round(amount / 4.345)) if amount > 0 else 0
    if unit.startswith("y"):
        return amount * 12
    return amount


# --------------------------------------------------------------------------------------------
# A whole message


_CLAUSE_BREAK = re.compile(r"[,;.!?\n]|\bbut\b")
_NEGATED_BEFORE = re.compile(r"(?:\bnot|\binstead of|\brather than)\s*$")


@dataclass
class _ExamFacts:
    results: list[Result] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)
    attempts: int | None = None
    year: int | None = None


def facts_from_mentions(
    text: str,
    mentions: Iterable[Mention],
    *,
    today: date,
    expected: Field | None = None,
    rules: Rules | None = None,
) -> ParsedFacts:
    """Profile changes from one message.

    ``expected`` is the fact the bot just asked for: a bare "228" answers that question.
    Scores preceded by "not"/"instead of" are the old value in a correction and are dropped.
    """
    rules = rules or default_rules()
    ordered = sorted(mentions, key=lambda m: m.start)
    bare = _bare_answer(text, ordered, expected)
    if isinstance(bare, ParsedFacts):
        return bare
    ordered.extend(bare)
    exams = [m for m in ordered if m.label == Label.EXAM and _safe(parse_exam, m.text)]
    per_exam: dict[Exam, _ExamFacts] = {}
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    specialties: list[tuple[Mention, str]] = []
    visas: list[Visa] = []

    def exam_for(m: Mention, *, same_clause_only: bool = False) -> Exam | None:
        owner = _nearest(text, m, exams, same_clause_only=same_clause_only)
        if owner is not None:
            return parse_exam(owner.text)
        return _exam_from_expected(expected)

    for m in ordered:
        if m.label == Label.SCORE:
            if _NEGATED_BEFORE.search(text[max(0, m.start - 12) : m.start]):
                continue
            # A score belongs to an exam named in its own clause; a bare one answers the
            # question asked, else it is a CK score by convention ("is 228 enough for IM?").
            exam = exam_for(m, same_clause_only=True) or Exam.STEP2
            try:
                score = parse_number(m.text)
            except ParseError as exc:
                code = "score_not_whole" if str(exc) in ("decimal", "negative") else "not_a_score"
                problems.append(Problem(code, m.text, exam))
                continue
            per_exam.setdefault(exam, _ExamFacts()).scores.append(score)
        elif m.label == Label.RESULT:
            result = _safe(parse_result, m.text)
            exam = exam_for(m)
            if result is not None and exam is not None:
                per_exam.setdefault(exam, _ExamFacts()).results.append(result)
        elif m.label == Label.ATTEMPTS:
            count = _safe(parse_attempts, m.text)
            exam = exam_for(m)
            if count is not None and exam is not None:
                per_exam.setdefault(exam, _ExamFacts()).attempts = count
        elif m.label == Label.GRAD_YEAR:
            year = _safe(parse_year, m.text)
            if year is None or _is_match_year(text, m):
                continue
            owner = _nearest(text, m, exams, same_clause_only=True)
            if owner is not None and not _mentions_graduation(text, m):
                per_exam.setdefault(parse_exam(owner.text), _ExamFacts()).year = year
            else:
                changes["graduation_year"] = year
        elif m.label == Label.YEARS_AGO:
            years = _safe(parse_years_ago, m.text)
            if years is not None:
                changes["graduation_year"] = today.year - years
        elif m.label == Label.DURATION:
            try:
                changes["usce_months"] = parse_months(m.text)
            except ParseError as exc:
                problems.append(Problem("duration_invalid", m.text if str(exc) else ""))
        elif m.label == Label.USCE_TYPE:
            kind = _safe(parse_usce_kind, m.text)
            if kind is not None:
                changes["usce_kind"] = kind
        elif m.label == Label.SPECIALTY:
            spec = _safe(parse_specialty, m.text)
            if spec is not None:
                specialties.append((m, spec))
        elif m.label == Label.VISA:
            visa = _safe(parse_visa, m.text)
            if visa is not None:
                visas.append(visa)

    if visas:
        distinct = set(visas)
        changes["visa"] = Visa.EITHER if {Visa.J1, Visa.H1B} <= distinct else visas[-1]
    usce_mentions = [m for m in ordered if m.label in (Label.DURATION, Label.USCE_TYPE)]
    for m, spec in specialties:
        if _nearest(text, m, usce_mentions, same_clause_only=True) is not None:
            changes["usce_specialty"] = spec
        else:
            changes["specialty"] = spec
    if "usce_specialty" in changes and "specialty" not in changes and expected == Field.SPECIALTY:
        changes["specialty"] = changes.pop("usce_specialty")

    for exam, facts in per_exam.items():
        _apply_exam(exam, facts, changes, problems, rules)
    _validate_years_and_durations(changes, problems, today)
    return ParsedFacts(changes, tuple(problems))


def _apply_exam(
    exam: Exam,
    facts: _ExamFacts,
    changes: dict[str, Any],
    problems: list[Problem],
    rules: Rules,
) -> None:
    distinct_scores = list(dict.fromkeys(facts.scores))
    if len(distinct_scores) > 1 and exam != Exam.PRACTICE:
        problems.append(
            Problem("conflicting_scores", " and ".join(map(str, distinct_scores)), exam)
        )
        distinct_scores = []
    score = distinct_scores[-1] if distinct_scores else None
    if exam == Exam.PRACTICE:
        if facts.scores:
            latest = facts.scores[-1]
            if SCORE_MIN <= latest <= SCORE_MAX:
                changes["step2_practice"] = latest
                changes.setdefault("step2", ExamStatus.NOT_TAKEN)
            else:
                problems.append(Problem("score_out_of_range", str(latest), exam))
        return
    if score is not None and not SCORE_MIN <= score <= SCORE_MAX:
        problems.append(Problem("score_out_of_range", str(score), exam))
        score = None

    status = _status(facts, has_score=score is not None)
    prefix = {Exam.STEP1: "step1", Exam.STEP2: "step2", Exam.STEP3: "step3"}[exam]
    attempts = facts.attempts
    if (
        status == ExamStatus.FAILED_THEN_PASSED
        and attempts is not None
        and _counted_failures(facts)
    ):
        attempts += 1  # "failed twice" then passed = three attempts

    # Only a score under every pass mark is a fail without a date: 214-217 passed before
    # 1 July 2025, and the advice gives both readings (img_strategy.passmarks).
    if exam == Exam.STEP2 and score is not None and read_ck(rules, score).result == CkResult.FAIL:
        problems.append(Problem("ck_below_passing", str(score), exam))
        score = None
        status = ExamStatus.FAILED if status != ExamStatus.FAILED_THEN_PASSED else status
    pass_fail_year = int(rules.figure("step1_pass_fail_year").value or 0)
    after_pf = facts.year is not None and facts.year > pass_fail_year
    if exam == Exam.STEP1 and score is not None and after_pf:
        problems.append(Problem("step1_score_after_pf", str(score), exam))
        score = None
        status = status or ExamStatus.PASSED

    if status is not None:
        changes[prefix] = status
    if attempts is not None:
        changes[f"{prefix}_attempts"] = attempts
    if score is not None:
        changes[f"{prefix}_score"] = score


def _counted_failures(facts: _ExamFacts) -> bool:
    # "failed once/twice" counts failures; "passed on the second attempt" counts attempts.
    return Result.FAILED in facts.results and Result.PASSED not in facts.results


def _status(facts: _ExamFacts, *, has_score: bool) -> ExamStatus | None:
    results = set(facts.results)
    if Result.NOT_TAKEN in results:
        return ExamStatus.NOT_TAKEN
    if Result.NOT_PASSED in results:
        return ExamStatus.FAILED
    if Result.FAILED in results:
        # A fail on record that the user is applying with is almost always followed by a
        # pass; the confirmation reads it back so the user can correct it.
        return ExamStatus.FAILED_THEN_PASSED
    if Result.FIRST_ATTEMPT in results or Result.PASSED in results:
        if facts.attempts is not None and facts.attempts > 1:
            return ExamStatus.FAILED_THEN_PASSED
        return ExamStatus.PASSED
    if facts.attempts is not None and facts.attempts > 1:
        return ExamStatus.FAILED_THEN_PASSED if has_score else None
    if has_score:
        return ExamStatus.PASSED
    return None


def _validate_years_and_durations(
    changes: dict[str, Any], problems: list[Problem], today: date
) -> None:
    year = changes.get("graduation_year")
    if year is not None:
        if year > today.year:
            problems.append(Problem("grad_year_future", str(year)))
            del changes["graduation_year"]
        elif today.year - year > MAX_YEARS_SINCE_GRADUATION:
            problems.append(Problem("grad_year_too_old", str(year)))
            del changes["graduation_year"]
    months = changes.get("usce_months")
    if months is not None and not 0 <= months <= MAX_USCE_MONTHS:
        problems.append(Problem("duration_invalid", str(months)))
        del changes["usce_months"]


_SCORE_FIELDS = (Field.STEP2, Field.STEP2_PRACTICE, Field.STEP1, Field.STEP3)
# The status field of an exam the bot asked about, for a bare "not yet".
_EXAM_STATUS_FIELD = {Exam.STEP1: "step1", Exam.STEP2: "step2", Exam.STEP3: "step3"}
_NONE_WORDS = frozenset({"none", "no", "zero", "0", "nil", "nothing", "no usce", "none yet"})


def _bare_answer(
    text: str, mentions: list[Mention], expected: Field | None
) -> list[Mention] | ParsedFacts:
    """A reply that is just a value, answering the question the bot asked."""
    stripped = text.strip().rstrip(".!")
    if expected is None or not stripped or mentions:
        return []
    exam = _exam_from_expected(expected)
    if exam in _EXAM_STATUS_FIELD and vocabulary().lookup("exam_replies", stripped):
        return ParsedFacts({_EXAM_STATUS_FIELD[exam]: ExamStatus.NOT_TAKEN})
    if expected in _SCORE_FIELDS and re.fullmatch(r"-?[\d.,]+|[a-z -]+", stripped.lower()):
        try:
            parse_number(stripped)
        except ParseError as exc:
            if str(exc) in ("decimal", "negative"):
                exam = _exam_from_expected(expected)
                return ParsedFacts({}, (Problem("score_not_whole", stripped, exam),))
            return []
        return [Mention(Label.SCORE, stripped, 0, len(text))]
    if expected == Field.USCE and _fold(stripped) in _NONE_WORDS:
        return ParsedFacts({"usce_months": 0})
    if expected == Field.VISA and (reply := vocabulary().lookup("visa_replies", stripped)):
        return ParsedFacts({"visa": Visa(reply)})
    return []


def _exam_from_expected(expected: Field | None) -> Exam | None:
    return {
        Field.STEP1: Exam.STEP1,
        Field.STEP2: Exam.STEP2,
        Field.STEP2_PRACTICE: Exam.PRACTICE,
        Field.STEP3: Exam.STEP3,
    }.get(expected)  # type: ignore[arg-type]


def _nearest(
    text: str, m: Mention, candidates: Sequence[Mention], *, same_clause_only: bool = False
) -> Mention | None:
    """The candidate closest to ``m``; one across a clause break counts as far away."""
    best: tuple[int, Mention] | None = None
    for c in candidates:
        lo, hi = (c.end, m.start) if c.end <= m.start else (m.end, c.start)
        between = text[lo:hi] if lo <= hi else ""
        crosses = bool(_CLAUSE_BREAK.search(between))
        if crosses and same_clause_only:
            continue
        distance = abs(hi - lo) + (1000 if crosses else 0)
        if best is None or distance < best[0]:
            best = (distance, c)
    return best[1] if best else None


def _mentions_graduation(text: str, m: Mention) -> bool:
    window = text[max(0, m.start - 30) : m.end + 5].lower()
    return bool(re.search(r"grad|yog|passout|pass out|batch|finished med", window))


def _safe(parser: Any, text: str) -> Any:
    try:
        return parser(text)
    except ParseError:
        return None


# "the 2028 match", "match 2028", "2028 cycle", "in the match of 2028": a Match asked for,
# not a graduation year.
_MATCH_AFTER = re.compile(r"\s*(?:residency\s+)?(?:match|cycle|eras)\b", re.IGNORECASE)
_MATCH_BEFORE = re.compile(r"\b(?:match|cycle)\s+(?:of\s+|in\s+)?$", re.IGNORECASE)
_MATCH_YEAR = re.compile(
    r"\b(?:(20\d\d)\s*(?:residency\s+)?(?:match|cycle|eras)|(?:match|cycle)\s+(?:of\s+|in\s+)?(20\d\d))\b",
    re.IGNORECASE,
)


def _is_match_year(text: str, m: Mention) -> bool:
    return bool(
        _MATCH_AFTER.match(text, m.end)
        or _MATCH_BEFORE.search(text[max(0, m.start - 20) : m.start])
    )


def match_year(text: str) -> int | None:
    """The Match someone asks to plan for ("plan for 2028 match", "match 2028"), or None."""
    found = _MATCH_YEAR.search(text)
    if found is None:
        return None
    return int(found.group(1) or found.group(2))


# --------------------------------------------------------------------------------------------
# What a question says beyond profile facts


def asked_from_mentions(text: str, mentions: Iterable[Mention]) -> Asked:
    """The specialties a question names, in order ("IM or FM?"), and what kind of uncovered
    question it is, if it is one (words in ``vocabulary.yml``'s ``uncovered_topics``)."""
    specialties: list[str] = []
    for m in sorted(mentions, key=lambda m: m.start):
        if m.label == Label.SPECIALTY:
            spec = _safe(parse_specialty, m.text)
            if spec is not None and spec not in specialties:
                specialties.append(spec)
    return Asked(tuple(specialties), _uncovered_kind(text))


def _uncovered_kind(text: str) -> Uncovered:
    folded = _fold(text)
    for kind, words in _uncovered_words().items():
        if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", folded) for w in words):
            return kind
    return Uncovered.OTHER


@lru_cache(maxsize=1)
def _uncovered_words() -> dict[Uncovered, tuple[str, ...]]:
    with VOCABULARY_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)["uncovered_topics"]
    return {Uncovered(kind): tuple(_fold(str(w)) for w in words) for kind, words in data.items()}
