"""The question registry: every question the advisor answers, declared once.

One :class:`QuestionSpec` per :class:`Question` holds everything about it: its id (and so
its Rasa intent, ``ask_<id>``), title, the profile facts it needs, the engine handler that
answers it, what a user would type to ask it (the payload of its buttons), the follow-up
questions offered after its answer, and whether a "what if my score were higher" makes
sense. The domain's intents and the rules' ``or:`` lists are generated from it
(``make registry``, checked by ``tests/actions/test_registry.py``); the actions read it.

Adding a question: a ``Question`` member and its ``QuestionSpec`` here, its NLU examples
(``data/nlu/questions.yml``), its statements (``rules/statements.yml``), then
``make registry`` (and ``make train``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from img_strategy.profile import Field

INTENT_PREFIX = "ask_"


class Question(str, Enum):
    CHANCES = "chances"  # "can I match peds with a Step 1 fail?"
    TARGET_SCORE = "target_score"  # "what CK do I need for IM?"
    REALISTIC_SPECIALTIES = "realistic_specialties"
    PROGRAMS = "programs"  # how many programs, and which kinds
    POSTPONE = "postpone"  # delay CK or the application?
    CK_TIMING = "ck_timing"  # when to take CK relative to ERAS
    PREPARATION = "preparation"
    RETAKE = "retake"
    RECOVERY = "recovery"  # low score or fail: what now
    STEP3 = "step3"
    VISA = "visa"
    GRADUATION_YEAR = "graduation_year"
    USCE_LETTERS = "usce_letters"
    SIGNALING = "signaling"
    PERSONAL_STATEMENT = "personal_statement"
    MATCH_STATS = "match_stats"
    PLAN = "plan"  # "make me a plan", "timeline till match" (img_strategy/plan.py)
    INTERVIEWS = "interviews"  # "how many interviews do I need to match?"
    COMPARE = "compare"  # "IM or FM?"
    FILTER_OUT = "filter_out"  # "will my fail / gap / YOG filter me out?"
    EXPLAIN_FAIL = "explain_fail"
    OBSERVERSHIP = "observership"  # "is an observership USCE?"
    AGE = "age"
    REAPPLY = "reapply"
    PRELIM = "prelim"  # prelim / transitional year
    OUT_OF_SCOPE = "out_of_scope"  # an honest "the guidance does not cover that"

    @property
    def spec(self) -> QuestionSpec:
        return _BY_QUESTION[self]

    @property
    def intent(self) -> str:
        """The NLU intent that asks this question."""
        return INTENT_PREFIX + self.value

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def needs(self) -> tuple[Field, ...]:
        """Facts asked for, in the order a good advisor would ask them."""
        return self.spec.needs

    @classmethod
    def from_intent(cls, intent: str | None) -> Question | None:
        """The question an ``ask_<id>`` intent asks; None for any other intent."""
        return _BY_INTENT.get(intent or "")


# The handlers' modules are imported only now: they use ``Question`` themselves (the plan
# module at run time), so it must exist before they load.
from img_strategy import plan  # noqa: E402
from img_strategy.answers import application, exams, outlook, topics  # noqa: E402
from img_strategy.answers.shared import Handler, Recite  # noqa: E402


@dataclass(frozen=True)
class QuestionSpec:
    question: Question
    title: str  # button and menu label
    # Facts asked for, in asking order. Questions answerable from the guidance alone
    # (timing, preparation, visa rules, stats) need nothing; handlers still use whatever
    # the profile holds.
    needs: tuple[Field, ...]
    handler: Handler
    ask: str  # what a user would type to ask it: the payload of buttons that offer it
    follow_ups: tuple[Question, ...]  # offered as buttons after the answer
    score_sensitive: bool = False  # the answer moves with the CK score: offer "what if"


S, S1, S2, S3 = Field.SPECIALTY, Field.STEP1, Field.STEP2, Field.STEP3
V, Y, U = Field.VISA, Field.GRADUATION_YEAR, Field.USCE
Q = Question

# One literal entry per question, by design: the registry is declarative data, read in one
# place. A tool that pairs same-shape lines (`duplicates`) lists neighbouring entries;
# they share their form, not their logic.
QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec(
        Q.CHANCES,
        "My chances",
        needs=(S, S1, S2, V, Y),
        handler=outlook.chances,
        ask="what are my chances",
        follow_ups=(Q.PROGRAMS,),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.TARGET_SCORE,
        "Target CK score",
        needs=(S,),
        handler=outlook.target_score,
        ask="what CK score should I aim for",
        follow_ups=(Q.POSTPONE,),
    ),
    QuestionSpec(
        Q.REALISTIC_SPECIALTIES,
        "Realistic specialties",
        needs=(S1, S2, V, Y),
        handler=outlook.realistic_specialties,
        ask="which specialties are realistic for me",
        follow_ups=(Q.PROGRAMS,),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.PROGRAMS,
        "How many programs?",
        needs=(S, S1, S2, V),
        handler=outlook.programs,
        ask="how many programs should I apply to",
        follow_ups=(Q.SIGNALING,),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.POSTPONE,
        "Should I postpone?",
        needs=(S, S2),
        handler=exams.postpone,
        ask="should I postpone my exam",
        follow_ups=(Q.PREPARATION,),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.CK_TIMING,
        "When to take CK",
        needs=(),
        handler=exams.ck_timing,
        ask="when should I take step 2 ck",
        follow_ups=(Q.PREPARATION,),
    ),
    QuestionSpec(
        Q.PREPARATION,
        "How to prepare",
        needs=(),
        handler=exams.preparation,
        ask="how should I prepare for ck",
        follow_ups=(Q.CK_TIMING,),
    ),
    QuestionSpec(
        Q.RETAKE,
        "Retaking an exam",
        needs=(S1, S2),
        handler=exams.retake,
        ask="can I retake the exam",
        follow_ups=(Q.RECOVERY,),
    ),
    QuestionSpec(
        Q.RECOVERY,
        "Recovering from a low score",
        needs=(S1, S2),
        handler=exams.recovery,
        ask="how do I recover from a low score",
        follow_ups=(Q.PERSONAL_STATEMENT,),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.STEP3,
        "Step 3",
        needs=(V, S2),
        handler=exams.step3,
        ask="should I take step 3",
        follow_ups=(Q.VISA,),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.VISA,
        "J-1 vs H-1B",
        needs=(),
        handler=application.visa,
        ask="j1 or h1b which is better",
        follow_ups=(Q.STEP3,),
    ),
    QuestionSpec(
        Q.GRADUATION_YEAR,
        "Year of graduation",
        needs=(Y,),
        handler=application.graduation_year,
        ask="does my graduation year matter",
        follow_ups=(Q.USCE_LETTERS,),
    ),
    QuestionSpec(
        Q.USCE_LETTERS,
        "USCE and letters",
        needs=(U,),
        handler=application.usce_letters,
        ask="how much usce and which letters do I need",
        follow_ups=(Q.PROGRAMS,),
    ),
    QuestionSpec(
        Q.SIGNALING,
        "Signaling",
        needs=(),
        handler=application.signaling,
        ask="how should I use signals",
        follow_ups=(Q.PROGRAMS,),
    ),
    QuestionSpec(
        Q.PERSONAL_STATEMENT,
        "Personal statement",
        needs=(S1, S2),
        handler=application.personal_statement,
        ask="how do I explain my score in the personal statement",
        follow_ups=(Q.USCE_LETTERS,),
    ),
    QuestionSpec(
        Q.MATCH_STATS,
        "Match statistics",
        needs=(),
        handler=application.match_stats,
        ask="what is the match rate for imgs",
        follow_ups=(Q.CHANCES,),
    ),
    QuestionSpec(
        Q.PLAN,
        "My plan",
        # Where Step 1 and CK stand decides the whole timeline; the rest is used when known.
        needs=(S1, S2),
        handler=plan.answer,
        ask="make me a plan until the match",
        follow_ups=(Q.CK_TIMING, Q.PROGRAMS),
    ),
    QuestionSpec(
        Q.INTERVIEWS,
        "How many interviews?",
        needs=(),
        handler=Recite(
            verdict="interviews.verdict",
            says=("interviews.breadth", "usce.role", "timing.cycle"),
        ),
        ask="how many interviews do I need to match",
        follow_ups=(Q.PROGRAMS, Q.SIGNALING),
    ),
    QuestionSpec(
        Q.COMPARE,
        "Compare specialties",
        needs=(S1, S2, V, Y),  # the specialties come from the question itself (Asked)
        handler=topics.compare,
        ask="IM or FM, which is better for me",
        follow_ups=(Q.PROGRAMS,),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.FILTER_OUT,
        "Will I be filtered out?",
        needs=(S1, S2),
        handler=topics.filter_out,
        ask="will programs filter me out",
        follow_ups=(Q.PROGRAMS, Q.EXPLAIN_FAIL),
        score_sensitive=True,
    ),
    QuestionSpec(
        Q.EXPLAIN_FAIL,
        "Explaining a fail",
        needs=(),
        handler=Recite(
            verdict="topic.explain_verdict",
            says=(
                "topic.explain_framing",
                "topic.explain_not_excuses",
                "statement.evidence",
                "statement.addendum",
                "statement.not_all_scores",
                "yog.recent_usce",
            ),
        ),
        ask="how do I explain my fail",
        follow_ups=(Q.PERSONAL_STATEMENT, Q.RECOVERY),
    ),
    QuestionSpec(
        Q.OBSERVERSHIP,
        "Observerships",
        needs=(),
        handler=topics.observership,
        ask="is an observership counted as usce",
        follow_ups=(Q.USCE_LETTERS,),
    ),
    QuestionSpec(
        Q.AGE,
        "Age and YOG",
        needs=(Y,),  # the guidance weighs the year of graduation, not age
        handler=topics.age,
        ask="is my age a problem",
        follow_ups=(Q.GRADUATION_YEAR, Q.USCE_LETTERS),
    ),
    QuestionSpec(
        Q.REAPPLY,
        "Reapplying",
        needs=(),
        handler=topics.reapply,
        ask="i did not match, should i reapply",
        follow_ups=(Q.STEP3, Q.USCE_LETTERS),
    ),
    QuestionSpec(
        Q.PRELIM,
        "Prelim year",
        needs=(),
        handler=topics.prelim,
        ask="should i do a prelim year",
        follow_ups=(Q.REALISTIC_SPECIALTIES,),
    ),
    QuestionSpec(
        Q.OUT_OF_SCOPE,
        "What I cover",
        needs=(),
        handler=topics.out_of_scope,
        ask="what topics do you cover",
        follow_ups=(Q.CHANCES, Q.TARGET_SCORE),
    ),
)


def _index(specs: tuple[QuestionSpec, ...]) -> dict[Question, QuestionSpec]:
    """One entry per question, checked when the package loads."""
    index: dict[Question, QuestionSpec] = {}
    for spec in specs:
        if spec.question in index:
            raise ValueError(f"question {spec.question.value} is declared twice")
        index[spec.question] = spec
    if lacking := [q.value for q in Question if q not in index]:
        raise ValueError(f"questions without an entry: {', '.join(lacking)}")
    return index


_BY_QUESTION = _index(QUESTIONS)
_BY_INTENT = {q.intent: q for q in Question}
