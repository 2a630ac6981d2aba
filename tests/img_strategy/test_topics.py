"""The #14 topics (img_strategy.answers.topics): each answer says what the guidance says, fitted to
the profile, and says plainly what it does not cover."""

from __future__ import annotations

from img_strategy import ExamStatus, Outlook, Profile, Question, UsceKind, Visa, advise
from img_strategy.asked import Asked, Uncovered
from img_strategy.parsing import Label, Mention, asked_from_mentions
from tests.img_strategy.support import TODAY, ask, covers, full_text


@covers("GEN.filters", "GEN.starting_point")
def test_a_step1_fail_an_old_yog_and_a_low_ck_are_each_named_as_filters():
    advice = ask(
        Question.FILTER_OUT,
        step1=ExamStatus.FAILED_THEN_PASSED,
        step1_attempts=2,
        step2=ExamStatus.PASSED,
        step2_score=219,
        graduation_year=2012,
    )
    text = full_text(advice)
    assert advice.verdict.startswith("Yes, at many programs: a first-attempt Step 1 pass")
    assert "Your CK of 219 is below what even less competitive community programs" in text
    assert "14 years since graduation" in text


def test_a_clean_profile_is_told_its_ck_clears_the_usual_filters():
    advice = ask(
        Question.FILTER_OUT, step1=ExamStatus.PASSED, step2=ExamStatus.PASSED, step2_score=241
    )
    assert advice.verdict.startswith("Your CK of 241 clears the usual community-program filters")


@covers("GEN.faq3")
def test_a_gap_is_answered_in_the_guidance_terms_of_time_since_graduation():
    text = full_text(ask(Question.FILTER_OUT))
    assert "does not treat CV gaps on their own" in text


@covers("GEN.low_steps")
def test_an_observership_is_never_called_hands_on():
    advice = ask(Question.OBSERVERSHIP, usce_months=3, usce_kind=UsceKind.OBSERVERSHIP)
    text = full_text(advice)
    assert "not hands-on experience" in advice.verdict
    assert "3 months of observership help, but count for less" in text
    assert "of hands-on USCE, a real asset" not in text


@covers("GEN.starting_point")
def test_age_is_answered_with_the_year_of_graduation():
    advice = ask(Question.AGE, graduation_year=2012)
    assert "nothing about age itself" in advice.verdict and "(YOG)" in advice.verdict
    assert "You graduated 14 years ago" in full_text(advice)


@covers("GEN.explain")
def test_explaining_a_fail_owns_it_briefly():
    assert "Own it in a sentence or two" in ask(Question.EXPLAIN_FAIL).verdict


@covers("GEN.step3", "F10")
def test_reapplying_needs_added_value_and_names_the_interview_medians():
    text = full_text(ask(Question.REAPPLY))
    assert "Reapply only with something new" in text
    assert "about 8 interviews" in text and "Step 3 can strengthen" in text


@covers("GEN.scenario3")
def test_prelim_says_what_the_guidance_does_not_cover():
    text = full_text(ask(Question.PRELIM, specialty="general_surgery"))
    assert "preliminary IM and transitional-year positions" in text
    assert "NRMP's data and the programs themselves publish that" in text


def test_two_specialties_are_compared_on_the_same_profile():
    profile = Profile(
        step1=ExamStatus.PASSED,
        step2=ExamStatus.PASSED,
        step2_score=241,
        visa=Visa.J1,
        graduation_year=2023,
    )
    asked = Asked(("internal_medicine", "neurology"))
    advice = advise(Question.COMPARE, profile, today=TODAY, asked=asked)
    assert advice.verdict.startswith("Comparing Internal Medicine and Neurology: Internal Medicine")
    assert "Internal Medicine is the more realistic of these" in full_text(advice)
    assert advice.outlook is not None and advice.outlook >= Outlook.REALISTIC


def test_one_specialty_named_is_compared_with_the_one_already_chosen():
    profile = Profile(
        specialty="dermatology",
        step1=ExamStatus.PASSED,
        step2=ExamStatus.PASSED,
        step2_score=244,
        visa=Visa.J1,
        graduation_year=2022,
    )
    advice = advise(Question.COMPARE, profile, today=TODAY, asked=Asked(("family_medicine",)))
    assert advice.verdict.startswith("Comparing Dermatology and Family Medicine")


def test_a_comparison_without_two_specialties_covers_the_common_fields():
    advice = advise(Question.COMPARE, Profile(step2_score=235), today=TODAY)
    assert advice.verdict.startswith("Tell me the specialties to compare")


@covers("F16", "F15", "F11", "F9", "F13")
def test_uncovered_questions_name_who_publishes_the_answer():
    def reply(kind: Uncovered) -> str:
        return full_text(
            advise(Question.OUT_OF_SCOPE, Profile(), today=TODAY, asked=Asked((), kind))
        )

    assert "AAMC publishes ERAS's" in reply(Uncovered.FEES)
    assert "immigration attorney" in reply(Uncovered.IMMIGRATION)
    assert "ECFMG's rules" in reply(Uncovered.ECFMG)
    assert "set by NRMP" in reply(Uncovered.MATCH_RULES)
    assert "state's medical board" in reply(Uncovered.LICENSING)
    assert "set by the program" in reply(Uncovered.PROGRAM)
    other = reply(Uncovered.OTHER)
    assert (
        other.startswith("That is outside what I can help with") and "I can answer instead" in other
    )


def test_a_certification_question_is_told_that_step_2_cs_has_ended():
    asked = asked_from_mentions("is step 2 cs part of certification these days", [])
    assert asked.uncovered == Uncovered.ECFMG
    text = full_text(advise(Question.OUT_OF_SCOPE, Profile(), today=TODAY, asked=asked))
    assert "ECFMG's rules" in text and "Step 2 CS ended on" in text


def test_the_kind_of_uncovered_question_is_read_from_its_words():
    def kind(text: str) -> Uncovered:
        return asked_from_mentions(text, []).uncovered

    assert kind("how much is the ERAS fee per program") == Uncovered.FEES
    assert kind("can my husband work on j2") == Uncovered.IMMIGRATION
    assert kind("how do i get ecfmg certified") == Uncovered.ECFMG
    assert kind("what happens in SOAP") == Uncovered.MATCH_RULES
    assert kind("what do residents get paid") == Uncovered.PROGRAM
    assert kind("should i mail thank you notes to the PD") == Uncovered.PROGRAM
    assert kind("minimum ck at the mayo clinic") == Uncovered.PROGRAM
    assert kind("tell me a joke") == Uncovered.OTHER


def test_compared_specialties_are_read_in_order_without_repeats():
    text = "IM or FM or im"
    mentions = [
        Mention(Label.SPECIALTY, "IM", 0, 2),
        Mention(Label.SPECIALTY, "FM", 6, 8),
    ]
    assert asked_from_mentions(text, mentions).specialties == (
        "internal_medicine",
        "family_medicine",
    )
