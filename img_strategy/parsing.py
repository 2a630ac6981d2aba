"""Free text to profile facts: the one place where "CK 228", "twice" or "J1" are read.

Two layers use it: the spaCy pipeline finds *mentions* (labelled spans, built from the same
``vocabulary.yml``), and :func:`facts_from_mentions` turns them into validated profile
changes, pairing each score, result and attempt count with the exam it belongs to. The
command line uses the single-value parsers directly.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from img_strategy.asked import Asked, Uncovered
from img_strategy.passmarks import CkResult, pass_marks, read_ck
from img_strategy.profile import ExamStatus, Field, LabelledEnum, UsceKind, Visa
from img_strategy.tables import SCORE_MAX, SCORE_MIN, Rules, default_rules

VOCABULARY_FILE = Path(__file__).parent / "vocabulary.yml"

# Input sanity limits (not advice): a graduate applying to residency, a plausible career.
MAX_YEARS_SINCE_GRADUATION = 45
# A student may ask before graduating: the final-year student applies in the year they
# graduate, and planning starts a few years before that.
MAX_YEARS_UNTIL_GRADUATION = 4
MAX_USCE_MONTHS = 120
# An exam date further ahead than a student plans (see above) is not a booking.
MAX_YEARS_AHEAD = MAX_YEARS_UNTIL_GRADUATION


class Exam(LabelledEnum):
    STEP1 = "step1", "Step 1"
    STEP2 = "step2", "Step 2 CK"
    STEP3 = "step3", "Step 3"
    PRACTICE = "practice", "practice exam"  # NBME / UWSA self-assessments for Step 2 CK


class Result(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_PASSED = "not_passed"  # failed and not passed since
    NOT_TAKEN = "not_taken"
    FIRST_ATTEMPT = "first_attempt"
    TAKEN = "taken"  # taken, the result not said ("step 3 done")


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


class Reading(str, Enum):
    """A fact the parser could read more than one way; the bot asks before storing it.
    The value is the statement id suffix of the question: ``confirm.<value>``."""

    USCE_MONTHS = "usce_months"  # a length of time with nothing saying it was USCE
    GRADUATION_YEAR = "graduation_year"  # a year with nothing saying what happened then


@dataclass(frozen=True)
class Unsure:
    """A likely reading that is not stored until the user confirms it."""

    reading: Reading
    changes: dict[str, Any]  # what a "yes" stores
    value: str  # the value as the question shows it ("3 months", "2019")


@dataclass(frozen=True)
class ParsedFacts:
    """Profile changes read from one message, plus anything that was refused, plus the
    readings that need the user's confirmation first."""

    changes: dict[str, Any] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    unsure: tuple[Unsure, ...] = ()
    # Facts the user says they do not have yet ("no practice tests yet"): not to be asked.
    declined: frozenset[Field] = frozenset()

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.changes)


# --------------------------------------------------------------------------------------------
# Vocabulary


class Cue(str, Enum):
    """The kinds of cue words in ``vocabulary.yml``'s ``cues`` (what each says is written
    there). The vocabulary must give every kind and no other."""

    NEGATION = "negation"
    NOT_NEGATION = "not_negation"
    TAKING = "taking"
    TO_TAKE = "to_take"
    COMING = "coming"
    RECENT = "recent"
    RULED_OUT = "ruled_out"
    SUPPOSING = "supposing"
    NEEDING = "needing"
    ALTERNATIVE = "alternative"
    ASKING = "asking"
    ASKING_INSIDE = "asking_inside"
    REQUESTING = "requesting"
    LEADING_FILLER = "leading_filler"
    NEXT_QUESTION = "next_question"
    EVERY_STEP = "every_step"
    CORRECTION = "correction"
    GRADUATION = "graduation"
    INTERNSHIP_END = "internship_end"
    FRESH_GRAD = "fresh_grad"
    OTHER_EVENT = "other_event"
    AHEAD_BEFORE = "ahead_before"
    AHEAD_AFTER = "ahead_after"
    AHEAD_OF_EXAM = "ahead_of_exam"
    EACH = "each"
    TIMES = "times"
    GAP = "gap"
    OTHER_TIME = "other_time"
    AGE_BEFORE = "age_before"
    AGE_AFTER = "age_after"
    STUDY = "study"
    USCE = "usce"
    PENDING = "pending"
    SCORE = "score"
    EXAM_TAKEN = "exam_taken"
    MONTH_LEAD = "month_lead"
    MATCH_EVENT = "match_event"
    RETAKE = "retake"
    SEQUENCE = "sequence"
    NOT_A_COUNT = "not_a_count"
    CONJUNCTION_COUNT = "conjunction_count"
    BOTH_STEPS = "both_steps"
    SCHOOL = "school"
    ORDINAL = "ordinal"
    NONE_START = "none_start"
    CONTRAST = "contrast"
    LIST_JOINT = "list_joint"
    JOINT = "joint"
    SCORE_TO_EXAM = "score_to_exam"
    EXAM_LEAD = "exam_lead"
    TIME_FILLER = "time_filler"
    TIME_UNTIL = "time_until"
    DETERMINER = "determiner"
    LEFT_FILLER = "left_filler"
    LEFT = "left"
    YEAR_SPAN = "year_span"
    YEAR_START = "year_start"
    COURSE_TIME = "course_time"
    TAIL_FILLER = "tail_filler"
    QUESTION_LEAD = "question_lead"
    GREETING = "greeting"
    GREETED = "greeted"
    WEIGHING = "weighing"
    REFERRING = "referring"
    INSTITUTION = "institution"
    ASKING_INDIRECT = "asking_indirect"
    OPTION_JOINT = "option_joint"
    SENTENCE_END = "sentence_end"

    # Hashed as the string it is (Enum's own __hash__ is Python code): the cue patterns are
    # cached by kind and looked up dozens of times per message.
    __hash__ = str.__hash__


class VocabularyError(ValueError):
    """vocabulary.yml does not give what the parser reads from it."""


@dataclass(frozen=True)
class Vocabulary:
    aliases: dict[str, dict[str, str]]  # kind -> lowercased alias -> canonical
    exact: dict[str, dict[str, str]]  # kind -> case-sensitive alias -> canonical
    numbers: dict[str, int]
    attempt_words: dict[str, int]
    cues: dict[Cue, tuple[str, ...]]  # cue kind -> words (see vocabulary.yml)
    relative_years: dict[str, int]  # "last" (year) -> 1 year before this one
    months: dict[str, int]  # "sept" -> 9
    uncovered: dict[Uncovered, tuple[str, ...]]  # in the order they are checked

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
    relative = {str(k): int(v) for k, v in data["relative_years"].items()}
    months = {_fold(str(k)): int(v) for k, v in data["months"].items()}
    if set(months.values()) != set(range(1, 13)):
        raise VocabularyError("months: every month from 1 to 12, and no other number")
    return Vocabulary(
        aliases,
        exact,
        numbers,
        attempts,
        _checked_cues(data["cues"]),
        relative,
        months,
        _checked_uncovered(data["uncovered_topics"]),
    )


def _checked_uncovered(data: dict[str, Any]) -> dict[Uncovered, tuple[str, ...]]:
    """Words per kind of uncovered question, for every kind but 'other' (what is left)."""
    wanted = {kind.value for kind in Uncovered} - {Uncovered.OTHER.value}
    if set(map(str, data)) != wanted:
        raise VocabularyError(f"uncovered_topics: the kinds {sorted(wanted)} are needed")
    return {Uncovered(kind): tuple(_fold(str(w)) for w in words) for kind, words in data.items()}


def _checked_cues(data: dict[str, Any]) -> dict[Cue, tuple[str, ...]]:
    """The cue words by kind, checked: every kind the parser reads and no unknown one (a
    misspelt kind would otherwise be silently unused), each a list of distinct words."""
    unknown = sorted(set(map(str, data)) - {cue.value for cue in Cue})
    missing = sorted(cue.value for cue in Cue if cue.value not in data)
    if unknown or missing:
        raise VocabularyError(f"cue kinds: unknown {unknown}, missing {missing}")
    cues: dict[Cue, tuple[str, ...]] = {}
    for kind, words in data.items():
        if not isinstance(words, list) or not words:
            raise VocabularyError(f"cue kind {kind}: a non-empty list of words is needed")
        folded = tuple(_fold(str(w)) for w in words)
        if "" in folded or len(set(folded)) != len(folded):
            raise VocabularyError(f"cue kind {kind}: empty or repeated words")
        cues[Cue(kind)] = folded
    return cues


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


@lru_cache(maxsize=2048)  # the same words are looked up many times in one message
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


_E = TypeVar("_E", bound=Enum)


@lru_cache(maxsize=1024)  # read again and again while a message is read: a pure lookup
def parse_exam(text: str) -> Exam:
    """A Step or the practice exams; :class:`ParseError` for an exam named only to be kept
    apart from them (Step 2 CS)."""
    return _member(Exam, "exams", text, "a tracked exam")


@lru_cache(maxsize=1024)
def parse_result(text: str) -> Result:
    """A result; :class:`ParseError` for words that name a scoring format ("pass/fail")."""
    return _member(Result, "results", text, "a result")


def _member(kind: type[_E], group: str, text: str, what: str) -> _E:
    """The member of ``kind`` a vocabulary word stands for. Some words are listed only to be
    told apart from the members (their canonical form is no member): :class:`ParseError`."""
    canonical = _canonical(group, text)
    try:
        return kind(canonical)
    except ValueError as exc:
        raise ParseError(f"not {what}: {text}") from exc


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
    """Years since graduation: "6 years ago", "six yrs back", "fresh grad" (0),
    "graduated last year" (1), "graduating next year" (-1), "0 YOG", "yog 3"."""
    folded = _fold(text)
    if _cue(Cue.FRESH_GRAD).search(folded):
        return 0
    relative = _patterns().relative_year.search(folded)
    if relative:
        return vocabulary().relative_years[relative.group(1)]
    yog = re.fullmatch(r"(\d{1,2})\s*yog|yog\W*(\d{1,2})", folded)
    if yog:
        return int(yog.group(1) or yog.group(2))
    match = re.match(r"\s*(\S+(?:\s+\S+)?)\s+(?:years?|yrs?|y)\b", folded)
    if not match:
        raise ParseError(f"not a duration in years: {text}")
    return parse_number(match.group(1))


_DURATION = re.compile(r"\s*(.+?)\s*-?\s*(months?|mos?|mths?|mnths?|m|weeks?|wks?|years?|yrs?)\b")
_WEEKS_PER_MONTH = 4  # as people count: "6 weeks" of rotations is a month and a half


def parse_duration(text: str) -> float:
    """A duration in months, to the half month: "3 months" (3), "6 weeks" (1.5),
    "2 weeks" (0.5), "1 year" (12), "a month" (1), "6-month" (6), "1.5 months" (1.5)."""
    match = _DURATION.match(_fold(text).replace("-", " "))
    if not match:
        raise ParseError(f"not a duration: {text}")
    amount_text, unit = match.groups()
    # A length of time may have a fraction, unlike a score: "1.5 months", "2.5 yrs".
    decimal = re.fullmatch(r"\d+\.\d+", amount_text)
    amount = float(amount_text) if decimal else parse_number(amount_text)
    if unit.startswith("w"):
        months = amount / _WEEKS_PER_MONTH
        # Half-month steps, and any positive number of weeks is at least half a month.
        return max(0.5, round(months * 2) / 2) if amount > 0 else 0.0
    if unit.startswith("y"):
        return round(amount * 12 * 2) / 2
    return round(amount * 2) / 2


def parse_months(text: str) -> int:
    """A duration in whole months (the command line's ``--usce-months``): "6 weeks" is 1."""
    months = parse_duration(text)
    return max(1, int(months)) if months > 0 else 0


def _usce_kind(text: str) -> UsceKind | None:
    """The kind of US clinical experience a word names; ``None`` for the general words
    ("USCE", "clinical experience"), :class:`ParseError` for anything else."""
    canonical = _canonical("usce_types", text)
    return None if canonical == USCE_ANY else UsceKind(canonical)


def _score_values(text: str) -> list[int]:
    """The numbers of a score mention: one, or a list typed without spaces ("205,208,212");
    the legacy "259/99" form carries a percentile after the score."""
    if re.fullmatch(r"\d{3}(?:,\d{3})+", text.strip()):
        return [int(part) for part in text.split(",")]
    return [parse_number(re.sub(r"\s*/\s*\d{1,2}$", "", text.strip()))]


# --------------------------------------------------------------------------------------------
# Exam dates ("my CK is on 15 March 2027", "ck exam date: 03/2027", "sitting ck in march")

_DAY_SUFFIX = r"(?:st|nd|rd|th)?"


# Only forms that cannot be misread. Day and month written as numbers are in different orders
# in different countries (03/04/2027 is 3 April in most of the world and March 4 in the US),
# so a numeric date is read only when its order is certain: a month with a four-digit year
# (03/2027, 2027-03), ISO order (2027-03-15), or a day over 12 (15/03/2027, 03/15/2027).
# Anything else is asked back; a month written as a word is always clear.
@lru_cache(maxsize=1)
def _date_pattern() -> re.Pattern[str]:
    """Every date form read (see above); month names from vocabulary.yml."""
    names = "|".join(map(re.escape, sorted(vocabulary().months, key=len, reverse=True)))
    return re.compile(
        rf"(?<![\w/.-])(?:(?P<day1>\d{{1,2}}){_DAY_SUFFIX}\s+(?:of\s+)?)?(?P<month>{names})\.?"
        rf"(?:\s+(?P<day2>\d{{1,2}}){_DAY_SUFFIX}(?![\w/]))?(?:,?\s*(?P<year>\d{{4}}|'\d{{2}}))?"
        r"(?![\w/])"
        r"|(?<![\w/.-])(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})(?:-(?P<iso_day>\d{1,2}))?(?![\w/-])"
        r"|(?<![\w/.-])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<num_year>\d{4})(?![\w/])"
        r"|(?<![\w/.-])(?P<num_month>\d{1,2})[/.-](?P<month_year>\d{4})(?![\w/-])",
        re.IGNORECASE,
    )


@dataclass(frozen=True)
class _DateSpan:
    start: int
    end: int
    text: str
    month: int | None  # None: the day/month order is unclear (or the date does not exist)
    year: int | None  # None: only a month was given
    day: int | None


def _date_spans(folded: str) -> list[_DateSpan]:
    """Every date written in the message, with its parts (see ``_date_pattern``)."""
    out: list[_DateSpan] = []
    lead = _cue(Cue.MONTH_LEAD, _Where.AT_END)
    for found in _date_pattern().finditer(folded):
        g = found.groupdict()
        text = found.group().strip()
        if g["month"] is not None:
            day_text, year_text = g["day1"] or g["day2"], g["year"]
            if day_text is None and year_text is None and not lead.search(folded[: found.start()]):
                continue  # "I may take CK": a bare month word needs "in", "on", "by" before it
            year = (
                None
                if year_text is None
                else 2000 + int(year_text[1:])
                if year_text.startswith("'")
                else int(year_text)
            )
            month = vocabulary().months[g["month"].lower()]
            day = int(day_text) if day_text else None
        elif g["iso_year"] is not None:
            year, month = int(g["iso_year"]), int(g["iso_month"])
            day = int(g["iso_day"]) if g["iso_day"] else None
        elif g["num_year"] is not None:
            a, b, year = int(g["a"]), int(g["b"]), int(g["num_year"])
            if a > 12 >= b:
                day, month = a, b
            elif b > 12 >= a:
                month, day = a, b
            else:
                day, month = None, None  # both could be the month: asked back
        else:
            year, month, day = int(g["month_year"]), int(g["num_month"]), None
        if month is not None and not _real_date(year or 2000, month, day or 1):
            month = None
        out.append(_DateSpan(found.start(), found.end(), text, month, year, day))
    return out


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _read_ck_date(
    msg: _Message, today: date, expected: Field | None, problems: list[Problem]
) -> tuple[date | None, list[tuple[int, int]]]:
    """The Step 2 CK date the message gives, if any, and the spans of every date bound to
    CK (a year inside one is part of the date, not a graduation year). A date belongs to CK
    when its clause names CK, or, with no exam named, when the bot asked about CK. A month
    without a year is the next such month, or the last one when the clause says the exam
    is behind ("took", "scored", or a score beside it). The day is kept when given, else
    the 1st of the month."""
    found: date | None = None
    spans: list[tuple[int, int]] = []
    for span in _date_spans(msg.folded):
        probe = Mention(Label.GRAD_YEAR, span.text, span.start, span.end)
        taken_words = bool(_cue(Cue.EXAM_TAKEN).search(msg.clause_text(probe)))
        # "ck 216, taken in august 2025": the clause goes on about the exam before it.
        owner = msg.exam_of(probe, continuation=taken_words)
        exam = parse_exam(owner.text) if owner is not None else None
        graduation = _cue(Cue.GRADUATION).search(msg.clause_text(probe))
        if exam is None and expected in (Field.STEP2, Field.STEP2_DATE) and not graduation:
            exam = Exam.STEP2
        if exam != Exam.STEP2:
            continue
        spans.append((span.start, span.end))
        if span.month is None:
            problems.append(Problem("date_unclear", span.text, Exam.STEP2))
            continue
        year = span.year
        if year is None:
            behind = taken_words or bool(msg.same_clause(probe, Label.SCORE))
            year = today.year
            if behind and span.month > today.month:
                year -= 1
            elif not behind and span.month < today.month:
                year += 1
        earliest, latest = today.year - MAX_YEARS_SINCE_GRADUATION, today.year + MAX_YEARS_AHEAD
        if not earliest <= year <= latest:
            problems.append(Problem("date_out_of_range", span.text, Exam.STEP2))
            continue
        found = date(year, span.month, span.day or 1)  # a later date corrects an earlier one
    return found, spans


# --------------------------------------------------------------------------------------------
# A whole message
#
# The message is cut into clauses. Every mention is read inside its clause: its polarity
# (a negation just before it), the exam it belongs to, and for dates and durations the
# event they are bound to. A value that fits no event is not guessed: it becomes an
# :class:`Unsure` reading for the user to confirm.

USCE_ANY = "any"  # vocabulary.yml: words for US clinical experience of no named kind


@dataclass(frozen=True)
class _Patterns:
    """The parser's fixed patterns, each built from cue words in vocabulary.yml."""

    # Clause breaks. A comma inside a list of numbers ("NBME 205, 208, 212") and a period
    # inside a number or an abbreviation ("u.s.") do not end a clause.
    clause_break: re.Pattern[str]
    # Between a score and the exam written after it: "212 in step 2", "230 (step 1)".
    preposition: re.Pattern[str]
    to_exam: re.Pattern[str]
    # Between a length of time and an exam it leads up to: "4 months for CK", "6 weeks left
    # till step 1".
    time_for: re.Pattern[str]
    # The end of a clause that names exams still ahead: "ck and step 3 left".
    left: re.Pattern[str]
    # Words a question may start with before its question word: "also how...", "pls what...".
    leading_filler: re.Pattern[str]
    ordinal: re.Pattern[str]  # an attempt counted by its order: "second attempt"
    list_separator: re.Pattern[str]  # between the items of a list: "205, 208 and 212"
    # Inside a clause, a conjunction that opens a further question: "what are my chances and
    # how many programs", "can i match gen surg or should i go prelim first".
    next_question: re.Pattern[str]
    none_start: re.Pattern[str]  # the first word of a reply that says there is nothing
    relative_year: re.Pattern[str]  # "last year", "this yr"
    # A negation after a value, ending its clause within a few words: "j1 wont work", "j1 is
    # not an option", "usce nahi". "H1B not J1" is not one: another value follows.
    negation_after: re.Pattern[str]
    year_span: re.Pattern[str]  # between two years of one span: "2011-2017", "2010 to 2016"
    # the conjunctions and fillers a part of a question may open with ("and frankly whats...")
    question_lead: re.Pattern[str]
    course_length_before: re.Pattern[str]  # before the length of school: "graduated after"
    # The end of a sentence: its mark and the space after it ("... yog 2019. which one?").
    # A line break before a space or another one ends it too; a single one does not.
    sentence_end: re.Pattern[str]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    def words(*kinds: Cue) -> str:
        return "|".join(_cue_body(kind) for kind in kinds)

    relative = "|".join(map(re.escape, sorted(vocabulary().relative_years, key=len, reverse=True)))
    negation = rf"(?<![\w'])(?:{words(Cue.NEGATION)})(?![\w'])"
    tail = rf"(?:(?:{words(Cue.TAIL_FILLER)})\W+){{0,2}}"
    return _Patterns(
        clause_break=re.compile(
            rf"[;!?\n]|\.(?=\s|$)|(?<!\d)\s*,|,(?!\s*\d)|\b(?:{words(Cue.CONTRAST)})\b"
        ),
        preposition=re.compile(rf"\b(?:{words(Cue.SCORE_TO_EXAM)})\b"),
        to_exam=re.compile(
            rf"[\s(:=-]*(?:(?:{words(Cue.SCORE_TO_EXAM, Cue.EXAM_LEAD)})\b[\s(:=-]*)*"
        ),
        time_for=re.compile(
            rf"\W*(?:(?:{words(Cue.TIME_FILLER)})\W+)*(?:{words(Cue.TIME_UNTIL)})\W*"
            rf"(?:(?:{words(Cue.DETERMINER)})\W+)?"
        ),
        left=re.compile(rf"\W*(?:(?:{words(Cue.LEFT_FILLER)})\W+)*(?:{words(Cue.LEFT)})\W*"),
        leading_filler=re.compile(rf"^\W*(?:(?:{words(Cue.LEADING_FILLER)})\W+)+"),
        ordinal=re.compile(rf"\b(?:{words(Cue.ORDINAL)})\b"),
        list_separator=re.compile(rf"(?:\s|,|/|&|\+|->|>|\b(?:{words(Cue.LIST_JOINT)})\b)*"),
        next_question=re.compile(rf"\s(?:{words(Cue.NEXT_QUESTION)})\s+(?=\S)"),
        none_start=re.compile(rf"\W*(?:{words(Cue.NONE_START)})(?![\w'])"),
        relative_year=re.compile(rf"\b({relative})\s+(?:year|yr)\b"),
        negation_after=re.compile(rf"^\W*{tail}{negation}(?:\W+[\w']+){{0,4}}\W*$"),
        year_span=re.compile(rf"\s*(?:{words(Cue.YEAR_SPAN)})\s*"),
        question_lead=re.compile(rf"^\W*(?:(?<![\w'])(?:{words(Cue.QUESTION_LEAD)})(?![\w'])\W*)+"),
        course_length_before=re.compile(
            rf"(?<![\w'])(?:{words(Cue.GRADUATION)})(?:\W+(?:{words(Cue.COURSE_TIME)}))?\W*$"
        ),
        sentence_end=re.compile(rf"(?:{words(Cue.SENTENCE_END)}|\n)\s"),
    )


# Between an exam and a result written right after it: "S1 P", "step 1: pass", "s1 - passed".
_ADJACENT = re.compile(r"[\s:=(\-–]*")


class _Where(Enum):
    """Where a cue must sit in the text it is looked for in."""

    ANYWHERE = "anywhere"
    AT_END = "at_end"  # text before a value: the cue ends it, give or take ``words``
    AT_START = "at_start"  # text after a value: the cue starts it, give or take ``words``

    __hash__ = object.__hash__  # members are singletons; cached patterns are keyed by them


@lru_cache(maxsize=256)
def _cue(kind: Cue, where: _Where = _Where.ANYWHERE, words: int = 0) -> re.Pattern[str]:
    """A regex for one kind of cue word from vocabulary.yml, anchored as asked."""
    word = rf"(?<![\w'])(?:{_cue_body(kind)})(?![\w'])"
    if where == _Where.AT_END:
        slack = rf"(?:\W+\w+){{0,{words}}}" if words else ""
        return re.compile(rf"{word}{slack}\W*$")
    if where == _Where.AT_START:
        lead = rf"(?:\w+\W+){{0,{words}}}" if words else ""
        return re.compile(rf"^\W*{lead}{word}")
    return re.compile(word)


def _cue_body(kind: Cue) -> str:
    """The alternatives of one kind of cue as a regex group body (longest first)."""
    alternatives = sorted(vocabulary().cues[kind], key=len, reverse=True)
    return "|".join(r"[\s-]+".join(map(re.escape, cue.split())) for cue in alternatives)


@lru_cache(maxsize=1)
def _untaken_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A negation with only words of taking around it, in the text before an exam ("never
    sat for") or in the rest of the clause after it ("nahi diya abhi", ": no")."""
    neg, taking = _cue_body(Cue.NEGATION), _cue_body(Cue.TAKING)
    word = r"(?<![\w'])(?:{})(?![\w'])"
    negation, filler = word.format(neg), word.format(taking)
    before = re.compile(rf"{negation}(?:\W+{filler})*\W*$")
    after = re.compile(rf"^\W*(?:{filler}\W+)*{negation}(?:\W+{filler})*\W*$")
    return before, after


@lru_cache(maxsize=1)
def _every_step() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'])(?:{_cue_body(Cue.EVERY_STEP)})(?![\w'])")


# What a date belongs to: an exam, graduation, another event, or nothing said.
_GRADUATION_EVENT = "graduation"
_OTHER_EVENT_NAME = "other"
_UNSURE_EVENT = "unsure"
# The end of the internship: graduation in South Asia (the degree comes after it), a year
# after it in Egypt; asked, unless the message gives the graduation year itself.
_INTERNSHIP_END_EVENT = "internship_end"
_Event = Exam | str | None


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    question: bool  # ends with "?"


class _Message:
    """The clauses of one message and the mentions in each."""

    def __init__(self, text: str, mentions: Sequence[Mention]) -> None:
        self.text = text
        # Same length as the text, so mention offsets still apply: "didn't" -> "did nt".
        self.folded = text.lower().replace("’", "'").replace("n't", " nt")
        self.mentions = mentions
        inside = [(m.start, m.end) for m in mentions]
        clauses: list[_Clause] = []
        start = 0
        for brk in _patterns().clause_break.finditer(self.folded):
            if any(lo <= brk.start() < hi for lo, hi in inside):
                continue  # "u.s. citizen", "ob/gyn": a break inside a mention is not one
            clauses.append(_Clause(start, brk.start(), brk.group().strip() == "?"))
            start = brk.end()
        clauses.append(_Clause(start, len(text), False))
        self.clauses = clauses
        self._clause_at: dict[int, int] = {}  # a mention's start -> its clause, once found
        self._before: dict[int, str] = {}  # a mention's start -> its text before, once cut

    def clause_of(self, m: Mention) -> int:
        found = self._clause_at.get(m.start)
        if found is None:
            last = len(self.clauses) - 1
            found = next((i for i, c in enumerate(self.clauses) if m.start < c.end), last)
            self._clause_at[m.start] = found
        return found

    def same_clause(self, m: Mention, label: Label) -> list[Mention]:
        index = self.clause_of(m)
        return [c for c in self.mentions if c.label == label and self.clause_of(c) == index]

    def clause_text(self, m: Mention) -> str:
        clause = self.clauses[self.clause_of(m)]
        return self.folded[clause.start : clause.end]

    def before(self, m: Mention) -> str:
        """The clause's text before ``m``, after the previous mention in the clause."""
        found = self._before.get(m.start)
        if found is None:
            clause = self.clauses[self.clause_of(m)]
            lo = max([clause.start, *(c.end for c in self.mentions if c.end <= m.start)])
            found = self._before[m.start] = self.folded[lo : m.start]
        return found

    def after(self, m: Mention) -> str:
        """The clause's text after ``m``, up to the next mention in the clause."""
        clause = self.clauses[self.clause_of(m)]
        hi = min([clause.end, *(c.start for c in self.mentions if c.start >= m.end)])
        return self.folded[m.end : max(m.end, hi)]

    def between(self, a: Mention, b: Mention) -> str:
        """The text between two mentions, in whichever order they are written."""
        first, last = (a, b) if a.start <= b.start else (b, a)
        return self.folded[first.end : max(first.end, last.start)]

    def negated(self, m: Mention) -> bool:
        before = self.before(m)
        found = _cue(Cue.NEGATION, _Where.AT_END, words=2).search(before)
        if found is None or "(" in found.group():
            return False  # "None (citizen / green card)": the bracket says what it is
        after_negation = _cue(Cue.NEGATION, _Where.AT_START).sub("", found.group(), count=1)
        if _cue(Cue.CORRECTION).search(after_negation):
            return False  # "yog 2020.. no wait 2019": the "no" turns down the old value
        return not _cue(Cue.NOT_NEGATION).search(before)

    def rest_of_clause(self, m: Mention) -> str | None:
        """The clause's text after ``m`` when no other value of its kind follows in it
        ("H1B not J1"), else None."""
        clause = self.clauses[self.clause_of(m)]
        if any(
            m.end <= c.start < clause.end
            for c in self.mentions
            if c.label == m.label and c is not m
        ):
            return None
        return self.folded[m.end : clause.end]

    def negated_after(self, m: Mention) -> bool:
        """A value the rest of its clause turns down: "j1 wont work", "usce nahi", "a J-1
        is not an option for me", "H-1B looks impossible"."""
        rest = self.rest_of_clause(m)
        if rest is None or _cue(Cue.NOT_NEGATION).search(rest):
            return False
        return bool(_patterns().negation_after.search(rest) or _cue(Cue.RULED_OUT).search(rest))

    def asks(self, m: Mention) -> bool:
        """Is ``m``'s clause a question, with or without its question mark ("also how do
        I explain the fail")?"""
        text = _patterns().leading_filler.sub("", self.clause_text(m))
        return self.in_question(m) or bool(_cue(Cue.ASKING, _Where.AT_START).search(text))

    def supposed(self, m: Mention) -> bool:
        """A visa supposed or weighed rather than stated: "do I need step 3 if I go h1b",
        "is h1b better for me?". Both visas weighed in one clause ("J1 or H1B, which is
        better?") say the user is open to either, and are read."""
        text = self.clause_text(m)
        weighed = {_safe(parse_visa, v.text) for v in self.same_clause(m, Label.VISA)} - {None}
        if Visa.EITHER in weighed or {Visa.J1, Visa.H1B} <= weighed:
            return False
        clause = self.clauses[self.clause_of(m)]
        if _cue(Cue.SUPPOSING).search(self.folded[clause.start : m.start]):
            return True  # "what if I needed an h1b", "if i go h1b route"
        if _cue(Cue.NEEDING, _Where.AT_END, words=1).search(self.before(m)):
            return False  # "an IMG that needs j1, which programs are better?"
        # A plain question keeps its visa: "ck 241 j1 peds chances?" states the need.
        return bool(_cue(Cue.SUPPOSING).search(text))

    def untaken(self, m: Mention) -> bool:
        """Does the clause say that exam ``m`` is not taken ("no step 3", "didn't sit CK
        yet", "step 3 nahi diya")? Not "no step 1 score" (a score, not the exam), and not
        "can I match without step 3?" (a question about it)."""
        before_pattern, after_pattern = _untaken_patterns()
        before = self.before(m)
        after = self.rest_of_clause(m)
        if _cue(Cue.NOT_NEGATION).search(before) or _cue(Cue.SCORE, _Where.AT_START).search(
            self.after(m)
        ):
            return False
        found = before_pattern.search(before)
        if found and found.group().lstrip().startswith("without") and self.in_question(m):
            return False
        return bool(found) or (after is not None and bool(after_pattern.search(after)))

    def exams_left(self) -> list[Exam]:
        """Exams a clause ends by saying are still ahead: "ck and step 3 left", "step 3
        remaining"; a list of exams joined by "and", "," or "/" shares the word."""
        found: list[Exam] = []
        for index, clause in enumerate(self.clauses):
            exams = [
                m
                for m in self.mentions
                if m.label == Label.EXAM and self.clause_of(m) == index
                if _safe(parse_exam, m.text) not in (None, Exam.PRACTICE)
            ]
            if not exams or not _patterns().left.fullmatch(self.folded[exams[-1].end : clause.end]):
                continue
            listed = [exams[-1]]
            for earlier in reversed(exams[:-1]):
                if not _patterns().list_separator.fullmatch(
                    self.folded[earlier.end : listed[0].start]
                ):
                    break
                listed.insert(0, earlier)
            found.extend(parse_exam(m.text) for m in listed)
        return found

    def every_step_untaken(self) -> bool:
        """A clause that says no Step is taken yet ("no step taken yet", "haven't started
        usmle"); a Step the message says more about keeps what it says."""
        before_pattern, after_pattern = _untaken_patterns()
        for clause in self.clauses:
            text = self.folded[clause.start : clause.end]
            for found in _every_step().finditer(text):
                at = clause.start + found.start()
                if any(m.start <= at < m.end for m in self.mentions):
                    continue  # the "step" of "step 1"
                before, after = text[: found.start()], text[found.end() :]
                if _cue(Cue.NOT_NEGATION).search(text) or clause.question:
                    continue
                if before_pattern.search(before) or after_pattern.search(after):
                    return True
        return False

    def in_question(self, m: Mention) -> bool:
        return self.clauses[self.clause_of(m)].question

    def exam_of(self, m: Mention, *, continuation: bool) -> Mention | None:
        """The exam ``m`` belongs to: the nearest one in its clause; with ``continuation``,
        else the exam of the closest earlier clause that names one ("failed CK once,
        passed the retake with 232")."""
        named = self.same_clause(m, Label.EXAM)
        exams = [e for e in named if _safe(parse_exam, e.text)]
        if named and not exams:
            return None  # "passed step 2 cs": about an exam the advisor does not track
        if exams and m.label == Label.SCORE:
            return self._exam_of_score(m, exams)
        if m.label == Label.RESULT and (
            adjacent := [
                e
                for e in exams
                if e.end <= m.start and _ADJACENT.fullmatch(self.folded[e.end : m.start])
            ]
        ):
            return adjacent[-1]  # "S1 P CK 245": a result written right after its exam
        if exams:
            return min(exams, key=lambda e: abs(e.start - m.start))
        if not continuation:
            return None
        for index in range(self.clause_of(m) - 1, -1, -1):
            earlier = [
                e
                for e in self.mentions
                if e.label == Label.EXAM and self.clause_of(e) == index
                if _safe(parse_exam, e.text)
            ]
            if earlier:
                return earlier[-1]
        return None

    def listed_with(self, owner: Mention, m: Mention) -> list[Mention]:
        """The other exams of a list that result ``m`` is written right before or after
        ("s1 & ck done", "passed s1, ck and step 3"); an exam followed by a score of its
        own is not listed ("failed s1 and ck 240": the 240 says how CK went)."""
        exams = [
            e
            for e in self.same_clause(owner, Label.EXAM)
            if _safe(parse_exam, e.text) not in (None, Exam.PRACTICE)
        ]
        index = exams.index(owner)
        chain = [owner]
        separator = _patterns().list_separator
        for e in exams[index + 1 :]:
            if not separator.fullmatch(self.folded[chain[-1].end : e.start]):
                break
            chain.append(e)
        for e in reversed(exams[:index]):
            if not separator.fullmatch(self.folded[e.end : chain[0].start]):
                break
            chain.insert(0, e)
        result_after = chain[-1].end <= m.start and _ADJACENT.fullmatch(
            self.folded[chain[-1].end : m.start]
        )
        result_before = m.end <= chain[0].start and _ADJACENT.fullmatch(
            self.folded[m.end : chain[0].start]
        )
        if len(chain) < 2 or not (result_after or result_before):
            return []
        return [e for e in chain if e is not owner and not self._scored(e)]

    def _scored(self, exam: Mention) -> bool:
        following = [c for c in self.mentions if c.start >= exam.end]
        return bool(following) and following[0].label == Label.SCORE

    def _exam_of_score(self, m: Mention, exams: list[Mention]) -> Mention:
        """A score's exam in its clause, by how people write pairs: "step 1 240 and ck 251"
        (the exam before it), "got 212 on CK" (a preposition ties it to the exam after),
        "230 step 1 and 245 ck" (scores written before their exams)."""
        before = [e for e in exams if e.end <= m.start]
        after = [e for e in exams if e.start >= m.end]
        following = after[0] if after else None
        preceding = before[-1] if before else None
        if following is not None and _patterns().to_exam.fullmatch(
            self.folded[m.end : following.start]
        ):
            tied = _patterns().preposition.search(self.folded[m.end : following.start])
            if tied or preceding is None or self._score_written_first(preceding):
                return following
        if preceding is not None and not any(
            c.label == Label.SCORE and preceding.end <= c.start < m.start for c in self.mentions
        ):
            return preceding
        return min(exams, key=lambda e: abs(e.start - m.start))

    def _score_written_first(self, exam: Mention) -> bool:
        """Is a score written just before ``exam`` ("230 step 1")?"""
        return any(
            c.label == Label.SCORE
            and c.end <= exam.start
            and self.clause_of(c) == self.clause_of(exam)
            and _patterns().to_exam.fullmatch(self.folded[c.end : exam.start])
            for c in self.mentions
        )

    def continues(self, m: Mention) -> bool:
        """Does ``m``'s clause go on about an exam named before it (a result, an attempt
        count or a retake, with no exam of its own)?"""
        labels = {c.label for c in self.mentions if self.clause_of(c) == self.clause_of(m)}
        return bool({Label.RESULT, Label.ATTEMPTS} & labels) or bool(
            _cue(Cue.RETAKE).search(self.clause_text(m))
        )

    def counts_exam_attempts(self, m: Mention) -> bool:
        """May attempt count ``m``, in a clause that names no exam, go on about the exam of
        an earlier clause? Only if its clause speaks of an exam: a result, a score, a
        retake, taking it, or an attempt still to come ("failed ck. 3rd attempt coming").
        "ck 236. 2nd attempt for residency", "ck 229. I tried 2 times" count other things."""
        labels = {c.label for c in self.mentions if self.clause_of(c) == self.clause_of(m)}
        text = self.clause_text(m)
        return (
            bool({Label.RESULT, Label.SCORE} & labels)
            or bool(_cue(Cue.RETAKE).search(text) or _cue(Cue.EXAM_TAKEN).search(text))
            or bool(_cue(Cue.COMING, _Where.AT_START).search(self.after(m)))
        )

    def retake_after(self, m: Mention, owner: Mention | None) -> bool:
        """A retake named in ``m``'s clause or a later one, before another exam is named
        ("I failed step 2 ck, can I retake?")."""
        exam = _safe(parse_exam, owner.text) if owner is not None else None
        for index in range(self.clause_of(m), len(self.clauses)):
            clause = self.clauses[index]
            others = [
                e
                for e in self.mentions
                if e.label == Label.EXAM and self.clause_of(e) == index and e is not owner
                if _safe(parse_exam, e.text) != exam  # "failed ck, should i retake ck?"
            ]
            end = clause.end
            if others and index > self.clause_of(m):
                end = others[0].start  # "... or take step 3 first": up to the other exam
            if _cue(Cue.RETAKE).search(self.folded[clause.start : end]):
                return True
            if end != clause.end:
                return False
        return False

    def corrected(self, earlier: Mention, later: Mention) -> bool:
        return bool(_cue(Cue.CORRECTION).search(self.folded[earlier.end : later.start]))


@dataclass
class _ExamFacts:
    results: list[Result] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)
    failed_scores: list[int] = field(default_factory=list)  # of attempts the user failed
    attempts: int | None = None
    attempts_count_failures: bool = False  # the count sits with a fail: "failed CK once"
    attempts_ordinal: bool = False  # "on the second try": the count of every attempt
    year: int | None = None
    date: date | None = None  # the day the exam was (or will be) taken, when given
    pending: bool = False  # taken, the score is not out yet
    scheduled: bool = False  # a date ahead: not taken yet
    retake: bool = False  # a retake is asked about or planned


@dataclass
class _Usce:
    months: dict[UsceKind | None, float] = field(default_factory=dict)
    kinds: list[UsceKind] = field(default_factory=list)  # named outside any duration
    negated: bool = False
    affirmed: bool = False
    # The last USCE duration read, its kind and months: a correction takes it back.
    last: tuple[Mention, UsceKind | None, float] | None = None


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
    """
    rules = rules or default_rules()
    ordered = sorted(mentions, key=lambda m: m.start)
    bare = _bare_answer(text, ordered, expected)
    if isinstance(bare, ParsedFacts):
        return bare
    ordered.extend(bare)
    msg = _Message(text, ordered)
    per_exam: dict[Exam, _ExamFacts] = {}
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    unsure: list[Unsure] = []
    specialties: list[tuple[Mention, str]] = []
    visas: list[tuple[Mention, Visa]] = []
    usce = _Usce()
    scores: list[tuple[Mention, Exam]] = []
    last_date: tuple[Mention, _Event] | None = None
    ck_date, date_spans = _read_ck_date(msg, today, expected, problems)

    def facts(exam: Exam) -> _ExamFacts:
        return per_exam.setdefault(exam, _ExamFacts())

    untaken: list[Exam] = []
    asked_scores: list[Mention] = []
    span_ends = _year_spans(msg)  # the last year of a span -> its first year
    spans = set(span_ends.values())
    for m in ordered:
        if any(lo <= m.start and m.end <= hi for lo, hi in date_spans):
            continue  # the year of a CK date ("15 March 2027") is not a graduation year
        negated = msg.negated(m)
        if m.label in (Label.VISA, Label.USCE_TYPE) and msg.negated_after(m):
            negated = True  # "j1 wont work", "usce nahi"
        if m.label == Label.EXAM:
            exam = _safe(parse_exam, m.text)
            if exam is not None and msg.untaken(m):
                untaken.append(exam)
            elif exam is not None and _cue(Cue.TO_TAKE, _Where.AT_END, words=1).search(
                msg.before(m)
            ):
                facts(exam).scheduled = True  # "when to take CK", "preparing for step 1"
        elif m.label == Label.SCORE:
            if negated:
                continue  # "ck 238 not 228": the old value of a correction
            if scores and _patterns().list_separator.fullmatch(
                msg.folded[scores[-1][0].end : m.start]
            ):
                scores.append((m, scores[-1][1]))  # "NBME 205, 208, 212": one list, one exam
                continue
            owner = msg.exam_of(m, continuation=msg.continues(m))
            # A score with no exam answers the question asked, else it is a CK score by
            # convention ("is 228 enough for IM?"). A correction ("sorry I meant 229")
            # mends a score given before, not the fact the prompt is waiting for.
            correcting = bool(_cue(Cue.CORRECTION).search(msg.folded[: m.start]))
            answering = None if correcting else _exam_from_expected(expected)
            exam = parse_exam(owner.text) if owner else answering
            if exam is None and msg.asks(m):
                asked_scores.append(m)  # "is 240 enough for psych?": a target, or the CK
            scores.append((m, exam or Exam.STEP2))
        elif m.label == Label.RESULT:
            _read_result(msg, m, negated, facts, _exam_from_expected(expected))
        elif m.label == Label.ATTEMPTS:
            rest = msg.rest_of_clause(m) or ""
            conjunction = _cue(Cue.CONJUNCTION_COUNT).fullmatch(_fold(m.text))
            if conjunction and _cue(Cue.NOT_A_COUNT, _Where.AT_START).search(rest):
                continue  # "once I get my CK score", "ck once more?": no count
            if msg.asks(m) and not msg.same_clause(m, Label.RESULT):
                continue  # "is it ok to take step 3 once before residency": no count
            count = _safe(parse_attempts, m.text)
            owner = msg.exam_of(m, continuation=msg.counts_exam_attempts(m))
            other = _cue(Cue.OTHER_EVENT, _Where.AT_START, words=2)
            if owner is not None and (
                _cue(Cue.OTHER_EVENT).search(msg.between(owner, m))
                or other.search(msg.rest_of_clause(m) or "")
            ):
                owner = None  # "CK 238, applying for the 2nd time", "2 attempts at ERAS"
            if owner is None and msg.same_clause(m, Label.RESULT):
                owner = _nearest(msg, m, Label.EXAM)  # "failed twice" with the exam elsewhere
            # else: "unmatched twice" counts something other than exam attempts
            ordinal = bool(_patterns().ordinal.search(_fold(m.text)))
            passed_here = any(
                _safe(parse_result, r.text) == Result.PASSED
                for r in msg.same_clause(m, Label.RESULT)
            )
            coming = _cue(Cue.COMING, _Where.AT_START).search(msg.after(m))
            if ordinal and owner is not None and coming and not passed_here:
                facts(parse_exam(owner.text)).retake = True  # "3rd attempt coming": not passed
            elif count is not None and owner is not None and not negated:
                exam_facts = facts(parse_exam(owner.text))
                exam_facts.attempts = count
                near = {_safe(parse_result, r.text) for r in msg.same_clause(m, Label.RESULT)}
                # "failed CK once" counts failures; "on the second try" counts attempts.
                exam_facts.attempts_ordinal = ordinal
                failed_near = Result.FAILED in near - {Result.PASSED}
                exam_facts.attempts_count_failures = failed_near and not exam_facts.attempts_ordinal
        elif m.label in (Label.GRAD_YEAR, Label.YEARS_AGO) and not negated:
            if span_ends and m in spans:
                continue  # "MBBS 2011-2017": the first year is the start of a span
            # "graduated 2021... sorry I mean 2019": a correction is about the same event.
            same = last_date[1] if last_date and msg.corrected(last_date[0], m) else None
            if span_ends and m in span_ends:
                same = _date_event(msg, span_ends[m], expected)  # the span's words say
            last_date = (m, _read_date(msg, m, today, expected, changes, unsure, facts, same))
        elif m.label == Label.DURATION and not negated:
            _read_duration(msg, m, expected, usce, problems, unsure, facts)
        elif m.label == Label.USCE_TYPE:
            kind = _safe(_usce_kind, m.text)
            if negated:
                usce.negated = True
            elif kind is not None and not msg.in_question(m):
                usce.kinds.append(kind)
        elif m.label == Label.SPECIALTY and not negated:
            spec = _safe(parse_specialty, m.text)
            if spec is not None:
                specialties.append((m, spec))
        elif m.label == Label.VISA and not negated and not msg.supposed(m):
            visa = _safe(parse_visa, m.text)
            if visa is not None:
                if visas and msg.corrected(visas[-1][0], m):
                    visas.pop()  # "J1 sorry i mean H1b": the later one replaces it
                visas.append((m, visa))

    if "graduation_year" in changes:
        # The graduation year is given: another year is not asked about as one ("graduated
        # 2020 and finished my internship 2021", "graduated 7 yrs ago (2019)").
        unsure = [u for u in unsure if u.reading != Reading.GRADUATION_YEAR]
    for exam in msg.exams_left():
        facts(exam).scheduled = True  # "ck and step 3 left"
    if asked_scores and _ck_ahead(per_exam.get(Exam.STEP2), untaken, per_exam):
        # CK not taken yet: a score in a question is the one hoped for, not the user's.
        scores = [(m, e) for m, e in scores if m not in asked_scores]
    _read_scores(msg, scores, problems, facts)
    _read_pending(msg, expected, facts)
    if msg.every_step_untaken():
        untaken.extend(e for e in Exam if e != Exam.PRACTICE)
    for exam in untaken:
        # Only for an exam the message says nothing else about: "no ck score yet, result
        # awaited" is pending, "didn't take step 1 seriously and failed" a fail.
        said = per_exam.get(exam)
        if said is None or not (said.results or said.scores or said.failed_scores or said.pending):
            facts(exam).results.append(Result.NOT_TAKEN)
    needed = [visa for _, visa in visas]
    if not needed and (reply := _visa_word_reply(msg)) is not None:
        needed.append(reply)  # "visa either works", "visa: not needed"
    if needed:
        distinct = set(needed)
        changes["visa"] = Visa.EITHER if {Visa.J1, Visa.H1B} <= distinct else needed[-1]
    _apply_usce(usce, changes)
    applied: list[tuple[Mention, str]] = []
    for m, spec in specialties:
        usce_here = [u for u in msg.same_clause(m, Label.USCE_TYPE) if not msg.negated(u)]
        if msg.same_clause(m, Label.DURATION) or usce_here:  # "2 months electives in IM"
            changes["usce_specialty"] = spec
        elif (
            msg.asks(m)
            and _cue(Cue.ALTERNATIVE).search(msg.clause_text(m))
            and expected != Field.SPECIALTY  # at the prompt, the field named is the answer
        ):
            continue  # "should I go for IM instead?": a way out weighed, not the aim
        else:
            applied.append((m, spec))
    # "I want psych but is neuro safer for me?": the one stated, not the one asked about.
    stated = [spec for m, spec in applied if not msg.asks(m)]
    if stated or applied:
        changes["specialty"] = (stated or [spec for _, spec in applied])[-1]
    if "usce_specialty" in changes and "specialty" not in changes and expected == Field.SPECIALTY:
        changes["specialty"] = changes.pop("usce_specialty")

    if ck_date is not None:
        changes["step2_date"] = ck_date
        if ck_date > today:
            facts(Exam.STEP2).scheduled = True  # a date ahead: booked, not taken yet
        facts(Exam.STEP2).date = ck_date
    declined: set[Field] = set()
    for exam, exam_facts in per_exam.items():
        _apply_exam(exam, exam_facts, changes, problems, rules)
        untaken_practice = exam == Exam.PRACTICE and Result.NOT_TAKEN in exam_facts.results
        if untaken_practice and "step2_practice" not in changes:
            declined.add(Field.STEP2_PRACTICE)  # "no practice tests yet"
    _validate_years_and_durations(changes, problems, today)
    return ParsedFacts(changes, tuple(problems), tuple(unsure), frozenset(declined))


_VISA_WORD = re.compile(r"(?<![\w'])visa(?:\s+need(?:ed)?)?\W+([\w']+(?:\W+[\w']+){0,2})")


def _visa_word_reply(msg: _Message) -> Visa | None:
    """ "visa either works", "visa: not needed": the word visa, then a reply to the visa
    question, in a clause that names no visa."""
    for clause in msg.clauses:
        if any(
            msg.clause_of(m) == msg.clauses.index(clause)
            for m in msg.mentions
            if m.label == Label.VISA
        ):
            continue
        found = _VISA_WORD.search(msg.folded[clause.start : clause.end])
        if found and (reply := _visa_reply(found.group(1))):
            return Visa(reply)
    return None


def _ck_ahead(ck: _ExamFacts | None, untaken: list[Exam], per_exam: dict[Exam, _ExamFacts]) -> bool:
    """Does the message say CK is not taken yet (or give practice scores for it)?"""
    practice = per_exam.get(Exam.PRACTICE)
    return (
        Exam.STEP2 in untaken
        or (ck is not None and (Result.NOT_TAKEN in ck.results or ck.scheduled))
        or (practice is not None and bool(practice.scores))
    )


def _read_result(
    msg: _Message,
    m: Mention,
    negated: bool,
    facts: Callable[[Exam], _ExamFacts],
    asked_about: Exam | None,
) -> None:
    """A result ("passed", "failed", "not yet") for the exam it is about: one named with
    it, else the exam the bot asked about ("not yet" at the CK prompt), else the nearest."""
    result = _safe(parse_result, m.text)
    if result is None:
        return
    if msg.asks(m) and not msg.same_clause(m, Label.EXAM):
        return  # "how do I explain the fail?": the fail is the one already told
    # "done", "given" say an exam is taken only next to it ("I have done 3 months obs"),
    # and not in a question ("what should be done for step 3?").
    owner = msg.exam_of(m, continuation=result != Result.TAKEN)
    if result == Result.TAKEN and (owner is None or msg.asks(m)):
        return
    both = _cue(Cue.BOTH_STEPS).search(msg.clause_text(m))
    if owner is None and both and result != Result.TAKEN:
        for exam in _CERTIFYING_EXAMS:  # "passed both steps first attempt"
            _add_result(msg, m, owner, exam, result, negated, facts)
        return
    if owner is None:
        if _cue(Cue.SCHOOL).search(msg.after(m)) or _cue(Cue.SCHOOL).search(msg.before(m)):
            return  # "failed a year in med school": not a Step
        if msg.same_clause(m, Label.EXAM):
            return  # "passed step 2 cs": an exam the advisor does not track
        owner = _nearest(msg, m, Label.EXAM)
    elif owner.start > m.end and _cue(Cue.SCHOOL).search(msg.folded[m.end : owner.start]):
        return  # "failed a year in med school before step 1"
    exam = parse_exam(owner.text) if owner is not None else asked_about
    if exam == Exam.PRACTICE and result == Result.NOT_TAKEN and not negated:
        facts(exam).results.append(result)  # "NBMEs not done yet": no estimate to give
        return
    if exam is None or exam == Exam.PRACTICE:
        return
    listed = msg.listed_with(owner, m) if owner is not None else []
    for each in [exam, *(parse_exam(e.text) for e in listed)]:  # "s1 & ck done"
        _add_result(msg, m, owner, each, result, negated, facts)


def _add_result(
    msg: _Message,
    m: Mention,
    owner: Mention | None,
    exam: Exam,
    result: Result,
    negated: bool,
    facts: Callable[[Exam], _ExamFacts],
) -> None:
    """Result ``m`` of ``exam``, read with its polarity and what its clause says after it."""
    if negated and result == Result.FIRST_ATTEMPT:
        return  # "not on the first attempt" says nothing certain
    if negated:
        # "never failed" is a first-attempt pass, "didn't pass" a fail; a result that is
        # itself negative stays so ("no, not yet").
        flipped = {
            Result.FAILED: Result.FIRST_ATTEMPT,
            Result.PASSED: Result.NOT_PASSED,
            Result.TAKEN: Result.NOT_TAKEN,
        }
        result = flipped.get(result, result)
    exam_facts = facts(exam)
    exam_facts.results.append(result)
    if msg.retake_after(m, owner):
        exam_facts.retake = True
    dated = msg.same_clause(m, Label.GRAD_YEAR)  # "failed in march 2019" is not recent
    if result == Result.FAILED and not dated and _cue(Cue.RECENT).search(msg.clause_text(m)):
        exam_facts.retake = True  # "failed S1 in august": too recent to be passed since


def _read_scores(
    msg: _Message,
    scores: list[tuple[Mention, Exam]],
    problems: list[Problem],
    facts: Callable[[Exam], _ExamFacts],
) -> None:
    """Scores per exam, in order: a later one after "sorry"/"I meant" replaces the earlier
    one, and a score in the clause of a fail is that failed attempt's score."""
    kept: list[tuple[Mention, Exam]] = []
    for m, exam in scores:
        kept = [(k, e) for k, e in kept if e != exam or not msg.corrected(k, m)]
        kept.append((m, exam))
    for m, exam in kept:
        try:
            values = _score_values(m.text)
        except ParseError as exc:
            code = "score_not_whole" if str(exc) in ("decimal", "negative") else "not_a_score"
            problems.append(Problem(code, m.text, exam))
            continue
        in_clause = [
            (r, result)
            for r in msg.same_clause(m, Label.RESULT)
            if not msg.negated(r) and _result_exam(msg, r) in (None, exam)
            if (result := _safe(parse_result, r.text)) in (Result.FAILED, Result.PASSED)
        ]
        clause_results = [result for _, result in in_clause]
        preceding = [result for r, result in in_clause if r.end <= m.start]
        if Result.FAILED in clause_results and Result.PASSED in clause_results and preceding:
            # "failed CK first time with 205 then passed with 232": each score belongs to
            # the result written before it.
            failed = preceding[-1] == Result.FAILED
        else:
            failed = Result.FAILED in clause_results and Result.PASSED not in clause_results
            if failed and any(
                result == Result.FAILED
                and r.end <= m.start
                and _cue(Cue.SEQUENCE).search(msg.folded[r.end : m.start])
                for r, result in in_clause
            ):
                failed = False  # "failed once (2023) then 229": the next attempt's score
        exam_facts = facts(exam)
        (exam_facts.failed_scores if failed else exam_facts.scores).extend(values)


def _result_exam(msg: _Message, r: Mention) -> Exam | None:
    """The exam a result in the clause is about ("ck 231 and a step 1 fail": Step 1)."""
    owner = msg.exam_of(r, continuation=False)
    return _safe(parse_exam, owner.text) if owner is not None else None


def _read_pending(
    msg: _Message, expected: Field | None, facts: Callable[[Exam], _ExamFacts]
) -> None:
    """ "My CK score comes out in October": taken, and the score is not out yet."""
    for index, clause in enumerate(msg.clauses):
        words = msg.folded[clause.start : clause.end]
        if not _cue(Cue.PENDING).search(words):
            continue
        inside = [m for m in msg.mentions if msg.clause_of(m) == index]
        exams = [m for m in inside if m.label == Label.EXAM and _safe(parse_exam, m.text)]
        if exams:
            exam: Exam | None = parse_exam(exams[0].text)
        elif _cue(Cue.SCORE).search(words):
            exam = _exam_from_expected(expected) or Exam.STEP2
        else:
            exam = None
        if exam is not None and exam != Exam.PRACTICE:
            facts(exam).pending = True


def _read_date(
    msg: _Message,
    m: Mention,
    today: date,
    expected: Field | None,
    changes: dict[str, Any],
    unsure: list[Unsure],
    facts: Callable[[Exam], _ExamFacts],
    same_as: _Event | None,
) -> _Event:
    """A year ("2019") or a time ago ("6 years ago", "fresh grad"), bound to its event:
    graduation, an exam, something else, or (if nothing says) a question to the user."""
    if m.label == Label.GRAD_YEAR:
        year = None if _is_match_year(msg.text, m) else _safe(parse_year, m.text)
    else:
        ago = _safe(parse_years_ago, m.text)
        year = None if ago is None else today.year - ago
    if year is None:
        return None
    event = same_as if same_as is not None else _date_event(msg, m, expected)
    if event == _GRADUATION_EVENT:
        changes["graduation_year"] = year
    elif isinstance(event, Exam):
        facts(event).year = year  # "took step 1 in 2021"
    elif event in (_UNSURE_EVENT, _INTERNSHIP_END_EVENT):
        unsure.append(Unsure(Reading.GRADUATION_YEAR, {"graduation_year": year}, str(year)))
    return event


def _year_spans(msg: _Message) -> dict[Mention, Mention]:
    """Spans of years ("MBBS 2011-2017", "med school 2010 to 2016"): the last year of each
    -> its first. The event ends in the last year: graduation, not starting school."""
    years = [m for m in msg.mentions if m.label == Label.GRAD_YEAR]
    out: dict[Mention, Mention] = {}
    for first, last in itertools.pairwise(years):
        between = msg.folded[first.end : last.start]
        if _patterns().year_span.fullmatch(between):
            start, end = _safe(parse_year, first.text), _safe(parse_year, last.text)
            if start is not None and end is not None and start < end:
                out[last] = first
    return out


def _date_event(msg: _Message, m: Mention, expected: Field | None) -> _Event:
    clause = msg.clauses[msg.clause_of(m)]
    # Only the words since the previous date: "yog 2016 not 2021, 2021 is when i finished
    # my service" ties the last 2021 to nothing. And since the previous exam: in
    # "completed step 1 in 2021" the word of finishing is about the exam.
    bounds = (Label.GRAD_YEAR, Label.YEARS_AGO, Label.EXAM)
    since = [c.end for c in msg.mentions if c.label in bounds and c.end <= m.start]
    before = msg.folded[max(clause.start, m.start - 30, *since) : m.start]
    next_word = re.match(r"\W*(\w*)", msg.folded[m.end : clause.end])
    owner = msg.exam_of(m, continuation=False)
    near = (before, m.text.lower(), next_word.group(1))
    if _cue(Cue.YEAR_START, _Where.AT_END).search(before):
        return _OTHER_EVENT_NAME  # "did my MBBS from 2012": the year it started
    if expected != Field.GRADUATION_YEAR and any(_cue(Cue.INTERNSHIP_END).search(t) for t in near):
        return _INTERNSHIP_END_EVENT  # "finished internship this year"
    # "graduated in 2019", "yog 2019", "2019 passout", "2019 grad", "fresh grad", "4 years
    # since i graduated"
    rest = msg.folded[m.end : clause.end]
    if any(_cue(Cue.GRADUATION).search(t) for t in near) or _cue(
        Cue.GRADUATION, _Where.AT_START, words=1
    ).search(rest):
        return _GRADUATION_EVENT
    if owner is not None:
        return parse_exam(owner.text)
    if expected == Field.GRADUATION_YEAR:
        return _GRADUATION_EVENT
    if _cue(Cue.OTHER_EVENT).search(msg.clause_text(m)):
        return _OTHER_EVENT_NAME  # "came to the US in 2019", "applying in 2027"
    return _UNSURE_EVENT


def _read_duration(
    msg: _Message,
    m: Mention,
    expected: Field | None,
    usce: _Usce,
    problems: list[Problem],
    unsure: list[Unsure],
    facts: Callable[[Exam], _ExamFacts],
) -> None:
    """A length of time, bound to its event: an exam ahead ("CK in two weeks"), a CV gap,
    an age, study time, or US clinical experience; if nothing says, it is asked."""
    before, after = msg.before(m), msg.after(m)
    ahead = _cue(Cue.AHEAD_BEFORE, _Where.AT_END).search(before) or _cue(
        Cue.AHEAD_AFTER, _Where.AT_START
    ).search(after)
    # "ck exam after 6 weeks" is ahead; "LOR after 6 weeks of electives" is time spent.
    if not ahead and _cue(Cue.AHEAD_OF_EXAM, _Where.AT_END).search(before):
        ahead = msg.exam_of(m, continuation=False) is not None
    if ahead:
        owner = msg.exam_of(m, continuation=False)
        if owner is not None:
            facts(parse_exam(owner.text)).scheduled = True
        return
    following = [c for c in msg.same_clause(m, Label.EXAM) if c.start >= m.end]
    exam_next = following[0] if following else None
    if exam_next is not None and _patterns().time_for.fullmatch(
        msg.folded[m.end : exam_next.start]
    ):
        exam = _safe(parse_exam, exam_next.text)
        if exam is not None and exam != Exam.PRACTICE:
            facts(exam).scheduled = True  # "I have 4 months for CK": still ahead
        return
    joined = _cue(Cue.JOINT).search(before)  # "research and 3 months..."
    if (
        _cue(Cue.GAP, _Where.AT_START, words=1).search(after)
        or _cue(Cue.GAP, _Where.AT_END, words=2).search(before)
        or _cue(Cue.AGE_AFTER, _Where.AT_START).search(after)
        or _cue(Cue.AGE_BEFORE, _Where.AT_END).search(before)
        or _cue(Cue.STUDY).search(before + " " + after)
        or _cue(Cue.OTHER_TIME, _Where.AT_START, words=1).search(after)
        or (not joined and _cue(Cue.OTHER_TIME, _Where.AT_END, words=1).search(before))
        or _patterns().course_length_before.search(before)
        or _cue(Cue.GRADUATION, _Where.AT_START, words=1).search(after)
    ):
        # a gap, an age, study time, time in research or a job at home, or the length of
        # medical school ("graduated after 6 years", "5 years of mbbs")
        return
    try:
        months = parse_duration(m.text) * _repeats(msg, m)
    except ParseError as exc:
        problems.append(Problem("duration_invalid", m.text if str(exc) else ""))
        return
    # A duration is USCE when its clause says so, when it answers the USCE prompt, or when
    # the message is about USCE ("is observership enough? i have 2 months").
    here = [c for c in msg.same_clause(m, Label.USCE_TYPE) if not msg.negated(c)]
    anywhere = [c for c in msg.mentions if c.label == Label.USCE_TYPE and not msg.negated(c)]
    if here or anywhere or _cue(Cue.USCE).search(msg.clause_text(m)) or expected == Field.USCE:
        kind = _nearest_kind(m, here) or _nearest_kind(m, anywhere)
        if usce.last is not None and msg.corrected(usce.last[0], m):
            _, old_kind, old_months = usce.last  # "3 months usce, sorry 4 months"
            usce.months[old_kind] -= old_months
        usce.months[kind] = usce.months.get(kind, 0.0) + months
        usce.last = (m, kind, months)
        usce.affirmed = True
    else:
        unsure.append(Unsure(Reading.USCE_MONTHS, {"usce_months": months}, m.text))


# A count of rotations is small; a larger number next to a duration is something else.
_MAX_REPEATS = 12


@lru_cache(maxsize=1)
def _count_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A count written just before a duration ("two 4-week electives", "2 x 1 month"), just
    before what was done ("2 observerships", "three IM electives"), and after "each" ("4
    weeks each at two hospitals"). A count in digits before a duration needs its "x": "ck
    235 2 months usce" is no count."""
    words = [w for w, n in vocabulary().numbers.items() if 0 < n <= _MAX_REPEATS]
    word = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    count = rf"(?<![\w'.,/])(?P<count>\d{{1,2}}|{word})"
    times = _cue_body(Cue.TIMES)
    before_duration = re.compile(rf"(?<![\w'.,/])(?P<count>{word}|\d{{1,2}}\s*(?:{times}))\W*$")
    before_kind = re.compile(rf"{count}\s+(?:[\w-]+\s+)?$")
    after_each = re.compile(rf"^\W*(?:{_cue_body(Cue.EACH)})\W+(?:\w+\W+)?{count}\s+\w")
    return before_duration, before_kind, after_each


def _count_value(text: str) -> int:
    digits = re.match(r"\d+", text)
    value = int(digits.group()) if digits else vocabulary().numbers[text]
    return value if 0 < value <= _MAX_REPEATS else 1


def _repeats(msg: _Message, m: Mention) -> int:
    """How many times the length of time ``m`` was spent: "two 4-week electives", "2 x 1
    month obs", "2 observerships (1 month each)", "3 rotations, 4 weeks each", "4 weeks each
    at two hospitals"; 1 when nothing multiplies it."""
    before_duration, before_kind, after_each = _count_patterns()
    if found := before_duration.search(msg.before(m)):
        return _count_value(found.group("count"))
    after = msg.after(m)
    if not _cue(Cue.EACH, _Where.AT_START).search(after):
        return 1
    if found := after_each.search(after):
        return _count_value(found.group("count"))
    # "each" refers to the things counted before: in this clause or the one before it
    # ("did 3 observerships, 2 months each").
    index = msg.clause_of(m)
    lo = msg.clauses[max(0, index - 1)].start
    done = [
        c for c in msg.mentions if c.label == Label.USCE_TYPE and lo <= c.start and c.end <= m.start
    ]
    for kind in reversed(done):
        since = max([lo, *(c.end for c in msg.mentions if c.end <= kind.start)])
        if found := before_kind.search(msg.folded[since : kind.start]):
            return _count_value(found.group("count"))
    return 1


def _nearest_kind(m: Mention, candidates: list[Mention]) -> UsceKind | None:
    """The kind of USCE named closest to ``m`` ("1 month observership and 2 months
    externship"); ``None`` if only general words ("USCE") are there."""
    named = [
        (abs(c.start - m.start), kind)
        for c in candidates
        if (kind := _safe(_usce_kind, c.text)) is not None
    ]
    return min(named)[1] if named else None


def _apply_usce(usce: _Usce, changes: dict[str, Any]) -> None:
    """Months per kind: hands-on time counts as hands-on; observership is never hands-on."""
    hands_on = usce.months.get(UsceKind.HANDS_ON, 0.0)
    observer = usce.months.get(UsceKind.OBSERVERSHIP, 0.0)
    unnamed = usce.months.get(None, 0.0)
    if usce.affirmed:
        if hands_on:
            changes["usce_months"], changes["usce_kind"] = hands_on + unnamed, UsceKind.HANDS_ON
        elif observer:
            changes["usce_months"], changes["usce_kind"] = observer + unnamed, UsceKind.OBSERVERSHIP
        else:
            changes["usce_months"] = unnamed
            if usce.kinds:
                changes["usce_kind"] = usce.kinds[-1]
        changes["usce_months"] = _whole_if_whole(changes["usce_months"])
    elif usce.negated and not usce.kinds:
        changes["usce_months"] = 0  # "no USCE", "zero usce"
    elif usce.kinds:
        changes["usce_kind"] = usce.kinds[-1]


def _whole_if_whole(months: float) -> float | int:
    return int(months) if float(months).is_integer() else months


def _apply_exam(
    exam: Exam,
    facts: _ExamFacts,
    changes: dict[str, Any],
    problems: list[Problem],
    rules: Rules,
) -> None:
    if exam == Exam.PRACTICE:
        practice = facts.scores + facts.failed_scores
        if practice:
            latest = practice[-1]  # "NBME 205, 208, 212": the latest is the estimate
            if SCORE_MIN <= latest <= SCORE_MAX:
                changes["step2_practice"] = latest
                changes.setdefault("step2", ExamStatus.NOT_TAKEN)
            else:
                problems.append(Problem("score_out_of_range", str(latest), exam))
        return
    if not facts.scores and len(set(facts.failed_scores)) > 1:
        # "failed CK once (206) then got 229": one clause, the later score is the retake's;
        # a retake under the pass mark is caught below.
        *earlier, later = facts.failed_scores
        facts = dataclasses.replace(facts, scores=[later], failed_scores=earlier)
    if exam == Exam.STEP2:
        facts = _ck_attempts(facts, rules)
    distinct_scores = list(dict.fromkeys(facts.scores))
    if len(distinct_scores) > 1:
        problems.append(
            Problem("conflicting_scores", " and ".join(map(str, distinct_scores)), exam)
        )
        distinct_scores = []
    score = distinct_scores[-1] if distinct_scores else None
    if score is not None and not SCORE_MIN <= score <= SCORE_MAX:
        problems.append(Problem("score_out_of_range", str(score), exam))
        score = None

    status = _status(exam, facts, has_score=score is not None)
    prefix = {Exam.STEP1: "step1", Exam.STEP2: "step2", Exam.STEP3: "step3"}[exam]
    attempts = facts.attempts
    if (
        status == ExamStatus.FAILED_THEN_PASSED
        and attempts is not None
        and _counted_failures(facts)
    ):
        attempts += 1  # "failed twice" then passed = three attempts

    # Without a date only a score under every pass mark is a fail: 214-217 passed before
    # 1 July 2025, and the advice gives both readings (img_strategy.passmarks). With the
    # date, the pass mark of that day decides.
    reading = read_ck(rules, score, facts.date) if exam == Exam.STEP2 and score else None
    said_failed = Result.FAILED in facts.results and Result.PASSED not in facts.results
    if reading is not None and reading.result != CkResult.PASS and said_failed:
        status = ExamStatus.FAILED  # "flunked CK, got 211": the failed attempt's score
    elif reading is not None and reading.result == CkResult.FAIL:
        code = "ck_below_passing" if facts.date is None else "ck_below_passing_on_date"
        problems.append(Problem(code, str(score), exam))
        score = None
        status = ExamStatus.FAILED if status != ExamStatus.FAILED_THEN_PASSED else status
    if score is None and status == ExamStatus.FAILED and facts.failed_scores:
        # "failed CK with 210": the score of the attempt that is not passed yet.
        failed = facts.failed_scores[-1]
        score = failed if SCORE_MIN <= failed <= SCORE_MAX else None
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


def _ck_attempts(facts: _ExamFacts, rules: Rules) -> _ExamFacts:
    """Several CK scores with nothing saying which failed ("took ck twice, 212 then 236",
    "238 (2nd attempt, 1st was 206)"): CK cannot be retaken once passed, and its pass mark
    has only ever risen, so the highest is the pass and the others were fails, as long as
    each of them is under a pass mark CK has had. Otherwise they stay conflicting."""
    distinct = list(dict.fromkeys(facts.scores))
    if len(distinct) < 2 or Result.PASSED in facts.results or Result.FAILED in facts.results:
        return facts
    highest, lower = max(distinct), [s for s in distinct if s != max(distinct)]
    top_mark = max(mark.score for mark in pass_marks(rules))
    if not all(s < top_mark for s in lower) or read_ck(rules, highest).result == CkResult.FAIL:
        return facts
    return dataclasses.replace(
        facts,
        scores=[highest],
        failed_scores=[*facts.failed_scores, *lower],
        results=[*facts.results, Result.FAILED, Result.PASSED],
        attempts=facts.attempts or len(distinct),
    )


def _counted_failures(facts: _ExamFacts) -> bool:
    # "failed once/twice" counts failures; "passed on the second attempt" counts attempts.
    if facts.attempts_ordinal:
        return False
    return facts.attempts_count_failures or (
        Result.FAILED in facts.results and Result.PASSED not in facts.results
    )


# The Steps ECFMG certification requires (shared/facts.md, F11), so passed by anyone who
# trains in the US; Step 3 is not among them.
_CERTIFYING_EXAMS = frozenset({Exam.STEP1, Exam.STEP2})


def _status(exam: Exam, facts: _ExamFacts, *, has_score: bool) -> ExamStatus | None:
    results = set(facts.results)
    if Result.NOT_TAKEN in results:
        return ExamStatus.NOT_TAKEN
    if Result.NOT_PASSED in results:
        return ExamStatus.FAILED
    if Result.FAILED in results:
        if Result.PASSED in results or has_score:
            return ExamStatus.FAILED_THEN_PASSED
        if facts.retake or facts.failed_scores or Result.FIRST_ATTEMPT in results:
            # "failed step 1 last month (first attempt)": the first attempt was the fail.
            # "I failed CK, can I retake?", "failed CK with 210": not passed yet.
            return ExamStatus.FAILED
        if exam not in _CERTIFYING_EXAMS:
            return ExamStatus.FAILED  # "Step 3 failed once in 2025": nothing says passed
        # A fail of a Step that ECFMG certification needs, from someone applying, is almost
        # always followed by a pass; the confirmation reads it back so the user can correct
        # it. Step 3 is not needed to apply, so a Step 3 fail is not presumed made good.
        return ExamStatus.FAILED_THEN_PASSED
    if Result.FIRST_ATTEMPT in results or Result.PASSED in results:
        if facts.attempts is not None and facts.attempts > 1:
            return ExamStatus.FAILED_THEN_PASSED
        return ExamStatus.PASSED
    if facts.attempts is not None and facts.attempts > 1:
        # "S1 2 attempts": a fail, then (for a Step certification needs) a pass, as above.
        certifying = exam in _CERTIFYING_EXAMS
        return ExamStatus.FAILED_THEN_PASSED if has_score or certifying else None
    if has_score:
        return ExamStatus.PASSED
    if facts.failed_scores:
        return ExamStatus.FAILED
    if facts.pending:
        return ExamStatus.PENDING
    if Result.TAKEN in results:
        # "step 3 done": passed; a CK taken without its score is asked for its score.
        return None if exam == Exam.STEP2 else ExamStatus.PASSED
    if facts.scheduled:
        return ExamStatus.NOT_TAKEN
    return None


def _validate_years_and_durations(
    changes: dict[str, Any], problems: list[Problem], today: date
) -> None:
    year = changes.get("graduation_year")
    if year is not None:
        if year > today.year + MAX_YEARS_UNTIL_GRADUATION:
            problems.append(Problem("grad_year_future", str(year)))
            del changes["graduation_year"]
        elif today.year - year > MAX_YEARS_SINCE_GRADUATION:
            problems.append(Problem("grad_year_too_old", str(year)))
            del changes["graduation_year"]
    months = changes.get("usce_months")
    if months is not None and not 0 <= months <= MAX_USCE_MONTHS:
        problems.append(Problem("duration_invalid", f"{months:g}"))
        del changes["usce_months"]


_SCORE_FIELDS = (Field.STEP2, Field.STEP2_PRACTICE, Field.STEP1, Field.STEP3)
# The status field of an exam the bot asked about, for a bare "not yet".
_EXAM_STATUS_FIELD = {Exam.STEP1: "step1", Exam.STEP2: "step2", Exam.STEP3: "step3"}


def _bare_answer(
    text: str, mentions: list[Mention], expected: Field | None
) -> list[Mention] | ParsedFacts:
    """A reply that is just a value, answering the question the bot asked."""
    stripped = text.strip().rstrip(".!")
    if expected is None or not stripped or mentions:
        return []
    exam = _exam_from_expected(expected)
    says_untaken = bool(
        vocabulary().lookup("exam_replies", stripped)
        or _untaken_patterns()[0].search(_folded(stripped))
    )
    if exam in _EXAM_STATUS_FIELD and says_untaken:
        return ParsedFacts({_EXAM_STATUS_FIELD[exam]: ExamStatus.NOT_TAKEN})
    if exam == Exam.PRACTICE and (says_untaken or _starts_with_none(stripped)):
        return ParsedFacts(declined=frozenset({Field.STEP2_PRACTICE}))  # "none yet"
    if expected in _SCORE_FIELDS and re.fullmatch(r"-?[\d.,]+|[a-z -]+", stripped.lower()):
        try:
            parse_number(stripped)
        except ParseError as exc:
            if str(exc) in ("decimal", "negative"):
                exam = _exam_from_expected(expected)
                return ParsedFacts({}, (Problem("score_not_whole", stripped, exam),))
            return []
        return [Mention(Label.SCORE, stripped, 0, len(text))]
    if expected == Field.USCE and _starts_with_none(stripped):
        return ParsedFacts({"usce_months": 0})  # "none yet", "nothing so far"
    if expected == Field.GRADUATION_YEAR and _safe(parse_years_ago, stripped) is not None:
        return [Mention(Label.YEARS_AGO, stripped, 0, len(text))]  # "this year", "last year"
    if expected == Field.VISA and (reply := _visa_reply(stripped)):
        return ParsedFacts({"visa": Visa(reply)})
    return []


def _folded(text: str) -> str:
    return _fold(text).replace("n't", " nt")


def _starts_with_none(text: str) -> bool:
    # "none", "none yet", "nothing so far", "nil", "no usce"
    return bool(_patterns().none_start.match(_folded(text)))


def _visa_reply(text: str) -> str | None:
    """A reply at the visa prompt: a whole one ("either", "not needed"), or one that starts
    with it ("either works for me", "both are ok with me")."""
    vocab = vocabulary()
    words = re.findall(r"[\w']+", _fold(text))
    for size in (len(words), 3, 2, 1):
        found = vocab.lookup("visa_replies", " ".join(words[:size]))
        if 0 < size <= len(words) and found:
            return found
    return None


def _exam_from_expected(expected: Field | None) -> Exam | None:
    return {
        Field.STEP1: Exam.STEP1,
        Field.STEP2: Exam.STEP2,
        Field.STEP2_PRACTICE: Exam.PRACTICE,
        Field.STEP3: Exam.STEP3,
    }.get(expected)  # type: ignore[arg-type]


def _nearest(msg: _Message, m: Mention, label: Label) -> Mention | None:
    """The closest mention with ``label`` anywhere; one across a clause break counts as
    far away."""
    best: tuple[int, Mention] | None = None
    here = msg.clause_of(m)
    for c in msg.mentions:
        if c.label != label or (label == Label.EXAM and not _safe(parse_exam, c.text)):
            continue
        distance = abs(c.start - m.start) + (0 if msg.clause_of(c) == here else 1000)
        if best is None or distance < best[0]:
            best = (distance, c)
    return best[1] if best else None


def _safe(parser: Any, text: str) -> Any:
    try:
        return parser(text)
    except ParseError:
        return None


# "the 2028 match", "match 2028", "2028 cycle", "in the match of 2028": a Match asked for,
# not a graduation year.
@lru_cache(maxsize=1)
def _match_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A year just before a word for the Match, a word for the Match just before a year, and
    either with the year captured."""
    match = _cue_body(Cue.MATCH_EVENT)
    after = rf"(?:residency\s+)?(?:{match})\b"
    before = rf"\b(?:{match})\s+(?:of\s+|in\s+)?"
    return (
        re.compile(rf"\s*{after}", re.IGNORECASE),
        re.compile(rf"{before}$", re.IGNORECASE),
        re.compile(rf"\b(?:(20\d\d)\s*{after}|{before}(20\d\d)\b)", re.IGNORECASE),
    )


def _is_match_year(text: str, m: Mention) -> bool:
    after, before, _ = _match_patterns()
    return bool(after.match(text, m.end) or before.search(text[max(0, m.start - 20) : m.start]))


def match_year(text: str) -> int | None:
    """The Match someone asks to plan for ("plan for 2028 match", "match 2028"), or None."""
    found = _match_patterns()[2].search(text)
    if found is None:
        return None
    return int(found.group(1) or found.group(2))


# --------------------------------------------------------------------------------------------
# What a question says beyond profile facts


@dataclass(frozen=True)
class QuestionSpan:
    """Where one question of a message is, as character offsets into its text."""

    start: int
    end: int


def question_spans(text: str) -> tuple[QuestionSpan, ...]:
    """The parts of ``text`` that ask or request something, in order: its clauses that end
    with a question mark or open with a question word or a request ("... ck 236, how many
    programs", "make me a plan"), each cut again where a conjunction opens a further
    question ("what are my chances and how many programs"). Facts typed around them are
    left out, so that each question can be classified on its own words."""
    message = _Message(text, ())
    spans: list[QuestionSpan] = []
    previous: _Clause | None = None
    for clause in message.clauses:
        starts = [clause.start]
        words = message.folded[clause.start : clause.end]
        for joint in _patterns().next_question.finditer(words):
            if _opens_question(words[joint.end() :]):
                starts.append(clause.start + joint.start())
        ends = [*starts[1:], clause.end]
        for start, end in zip(starts, ends, strict=True):
            part = message.folded[start:end]
            if _greets(part):
                continue  # "how far doc?", "how are you sir": a hello, not a question
            if not ((end == clause.end and clause.question) or _asks(part)):
                continue
            if start == clause.start and previous and _leads_into(message.folded, previous, clause):
                start = previous.start  # "IM or FM, which is better": the choice is asked
            spans.append(_trimmed(text, start, end))
        previous = clause
    return tuple(span for span in spans if span.end > span.start)


# A clause of at most this many words, before a question after a comma, is part of it.
_LEAD_IN_WORDS = 4


def _leads_into(folded: str, previous: _Clause, clause: _Clause) -> bool:
    """Is ``previous`` a short lead-in of ``clause`` ("J1 or H1B, which is better?"): cut
    from it by a comma only, not itself a question?"""
    lead = folded[previous.start : previous.end]
    return (
        folded[previous.end : clause.start].strip() == ","
        and not previous.question
        and len(lead.split()) <= _LEAD_IN_WORDS
        and not _opens_question(lead)
        and _opens_question(folded[clause.start : clause.end])
    )


def _opens_question(words: str) -> bool:
    """Does ``words`` start with a question word or a request, after "also", "pls", "or",
    "honestly"... ("or do programs reject that", "and frankly whats my chance in IM")?"""
    words = _without_lead(words)
    return bool(
        _cue(Cue.ASKING, _Where.AT_START).search(words)
        or _cue(Cue.REQUESTING, _Where.AT_START, words=1).search(words)
    )


def _without_lead(words: str) -> str:
    """``words`` without the conjunctions and fillers a question part may open with."""
    return _patterns().question_lead.sub("", words)


def _asks(words: str) -> bool:
    """Does ``words`` ask without a question mark: opening with a question word or a
    request, asking in a run-on line ("yog 2016 ck 229 is it too late for IM"), or asking
    indirectly ("i need to know if a 2 year gap will hurt me")?"""
    return _opens_question(words) or bool(
        _cue(Cue.ASKING_INSIDE).search(words) or _cue(Cue.ASKING_INDIRECT).search(words)
    )


def _greets(words: str) -> bool:
    """Is ``words`` only a greeting and whom it greets ("how far my people", "good morning
    sir, how are you")?"""
    rest = _cue(Cue.GREETING).sub(" ", words)
    if rest == words:
        return False
    rest = _cue(Cue.GREETED).sub(" ", rest)
    return not re.search(r"\w", rest)


def weighs_options(words: str) -> bool:
    """Does a question weigh options against each other ("which is the safer bet", "neuro
    vs psych", "dono me chance zyada kis me")? With two specialties named, a question about
    chances is then a comparison (img_nlp.routing)."""
    return bool(_cue(Cue.WEIGHING).search(_fold(words)))


def names_institution(words: str) -> bool:
    """Does a question name one institution ("cutoff at the Mayo Clinic")? Its own cutoffs
    are the program's to publish, not the guidance's (img_nlp.routing)."""
    return bool(_cue(Cue.INSTITUTION).search(_fold(words)))


def refers_back(words: str) -> bool:
    """Does a question point back to what was said before it ("is that a problem?",
    "does it matter?"), so that its own few words cannot say what it is about?"""
    return bool(_cue(Cue.REFERRING).search(_fold(words)))


def joins_options(words: str) -> bool:
    """Are ``words``, all that stands between two named values, a choice between them ("or"
    in "peds or FM", "/" in "neuro/psych", "vs." in "IM vs. FM")? Two specialties so joined
    in a question are weighed against each other (img_nlp.routing)."""
    return bool(_cue(Cue.OPTION_JOINT).fullmatch(_fold(words)))


def sentence_start(text: str, position: int) -> int:
    """Where the sentence holding ``position`` in ``text`` starts: after the last sentence
    end before it, else at 0."""
    ends = [m.end() for m in _patterns().sentence_end.finditer(text, 0, position)]
    return ends[-1] if ends else 0


def _trimmed(text: str, start: int, end: int) -> QuestionSpan:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return QuestionSpan(start, end)


def asks_something(text: str) -> bool:
    """Does a clause of ``text`` ask or request something, with or without its question
    mark ("... ck 236, how many programs", "make me a plan. passed step 1")? Facts and a
    question typed together are often labelled as facts alone; this says a question is
    there to be found among NLU's alternatives (actions.answers.question_among_facts)."""
    return bool(question_spans(text))


def asked_from_mentions(text: str, mentions: Iterable[Mention]) -> Asked:
    """The specialties a question names, in order ("IM or FM?"), the Match it asks a plan
    for ("plan for 2029 match"), and what kind of uncovered question it is, if it is one
    (words in ``vocabulary.yml``'s ``uncovered_topics``)."""
    specialties: list[str] = []
    for m in sorted(mentions, key=lambda m: m.start):
        if m.label == Label.SPECIALTY:
            spec = _safe(parse_specialty, m.text)
            if spec is not None and spec not in specialties:
                specialties.append(spec)
    return Asked(tuple(specialties), _uncovered_kind(text), match_year(text))


def _uncovered_kind(text: str) -> Uncovered:
    folded = _fold(text)
    for kind, pattern in _uncovered_patterns():
        if pattern.search(folded):
            return kind
    return Uncovered.OTHER


@lru_cache(maxsize=1)
def _uncovered_patterns() -> tuple[tuple[Uncovered, re.Pattern[str]], ...]:
    """One pattern per kind, whole words in any case, in the vocabulary's order."""
    return tuple(
        (kind, re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, words))})(?![\w-])"))
        for kind, words in vocabulary().uncovered.items()
    )
