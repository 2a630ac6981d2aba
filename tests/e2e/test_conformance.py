"""Conformance: every worked scenario and FAQ of both guidance articles, and every example
of #19, as a whole conversation over REST, typed the way IMGs type.

Each conversation asserts the article's figures and its verdict in the article's words
(the ``outlook.*`` statements). Sections: general article Scenarios 1-3 and FAQs 1-4;
pediatrics article Step 1 scenarios 1-3, the CK bands, Cases 1-3, FAQs 1-4 and the postpone
rule.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

# (name, user turns, phrases the last reply batch must contain, phrases it must not)
CONFORMANCE = [
    # ---- General article ---------------------------------------------------------------
    (
        "general scenario 1",
        [
            "which specialties are realistic for me? passed step 1 first attempt, ck 245",
            "j1",
            "graduated in 2025",
        ],
        [
            "Most realistic for you: Family Medicine, Internal Medicine and Pediatrics.",
            "Family Medicine: strong.",
            "Pediatrics: strong.",
            "Psychiatry: realistic.",
            "some academic programs are within reach",
        ],
        ["Most realistic for you: Pediatrics."],
    ),
    (
        "general scenario 2",
        [
            "what specialty should i choose? cleared step1 first attempt, ck 228",
            "I need a J1",
            "yog 2022",
        ],
        [
            "Most realistic for you: Family Medicine, Internal Medicine and Pediatrics.",
            "Internal Medicine: still matchable with a very strategic plan.",
            "community-heavy Internal Medicine",
            "psychiatry can still work with targeted networking",
        ],
        ["long shot"],
    ),
    (
        "general scenario 3",
        ["which fields are realistic with a step 1 fail? ck 218", "j1", "i graduated 6 years ago"],
        [
            "every field is very challenging, but not closed",
            "Family Medicine: very challenging, but not impossible.",
            "preliminary IM or transitional-year positions",
            "6 years ago",
        ],
        ["long shot"],
    ),
    (
        "general faq 1",
        ["i failed step 1 once. can a strong ck still get me into IM? ck 246, j1, graduated 2024"],
        ["Your outlook for Internal Medicine: realistic.", "235-245+", "serious red flag"],
        [],
    ),
    (
        "general faq 2",
        ["how much usce and which letters do I need", "none"],
        ["no US clinical experience", "first filter"],
        [],
    ),
    (
        "general faq 3",
        ["should i delay my application a year? passed s1 first attempt, ck 236, applying IM"],
        ["Apply on time"],
        [],
    ),
    (
        "general faq 4",
        ["i got a low ck, 219. how do i recover? passed step 1, applying IM"],
        ["part of your story", "under 220 counts as low", "Apply broadly and intelligently"],
        [],
    ),
    # ---- Pediatrics article ------------------------------------------------------------
    (
        "peds step 1 scenario 1",
        ["how should I prepare for peds? not taken step 1 yet"],
        ["first-attempt pass is essential", "one more dedicated month", "3-4 months"],
        [],
    ),
    (
        "peds step 1 scenario 2",
        ["what ck do i need for peds? step 1 score 215"],
        ["210-229", "235 or more", "about 220"],
        [],
    ),
    (
        "peds step 1 scenario 3 and faq 2",
        ["Can I still match pediatrics with a Step 1 fail? ck 240, j1, 2023 grad"],
        [
            "Your outlook for Pediatrics: realistic.",
            "harder but possible",
            "235+",
            "holistic review",
        ],
        [],
    ),
    (
        "peds bands",
        ["what are my chances in peds? passed step 1 first attempt, ck 229, j1, 2024 grad"],
        [
            "Your outlook for Pediatrics: still matchable with a very strategic plan.",
            "A peds CK of 225-234 is still realistic",
        ],
        [],
    ),
    (
        "peds case 1",
        [
            "how many peds programs should i apply to",
            "passed step 1 on the first attempt",
            "my ck was two forty five",
            "i need a j1",
        ],
        ["Apply to 70-90 Pediatrics programs.", "university-affiliated"],
        [],
    ),
    (
        "peds case 2",
        ["how many programs for pediatrics? step 1 score 215, ck 232", "j1 or h1b"],
        ["Apply to 80-100 Pediatrics programs.", "university-affiliated"],
        [],
    ),
    (
        "peds case 3",
        ["can I match pediatrics with a Step 1 fail?", "220", "j1", "graduated in 2022"],
        [
            "Your outlook for Pediatrics: a significant challenge, but not the end.",
            "harder but possible",
            "Apply to 100+ Pediatrics programs.",
            "smaller or newer programs",
        ],
        ["long shot"],
    ),
    ("peds faq 1", ["what is a safe ck for peds"], ["235-240 or more", "225-234"], []),
    (
        "peds faq 3",
        ["how many programs should i apply to for peds? failed step 1 once, ck 236", "j1"],
        ["Apply to 100+ Pediatrics programs.", "60-100"],
        [],
    ),
    (
        "peds faq 4",
        ["should i postpone ck for peds? nbme 214"],
        ["Seriously consider delaying", "by a year", "below 225", "10-15+ points"],
        ["Postpone:"],
    ),
    (
        "peds postpone rule",
        ["should i postpone ck for peds? my nbme is 218"],
        ["Seriously consider delaying", "12 points under the 230", "1-2 months"],
        [],
    ),
    # ---- #19 examples ------------------------------------------------------------------
    (
        "ck 216 without a date",
        ["what are my chances for IM? passed step 1 first attempt, ck 216, j1, 2023 grad"],
        ["counts as a pass if you took it before 1 July 2025", "When did you take CK?"],
        ["passing retake comes first."],
    ),
    (
        "ck 216 retake",
        ["can i retake ck? passed step 1, ck 216"],
        ["a passed Step cannot be retaken", "a retake is required"],
        [],
    ),
    (
        "im 218 first attempt",
        ["chances for IM? passed step 1 first attempt, ck 218, j1, 2023 grad"],
        ["Your outlook for Internal Medicine: a significant challenge, but not the end."],
        ["long shot"],
    ),
    (
        "im signals",
        ["how many signals for internal medicine"],
        ["3 gold and 12 silver", "2026 Match", "may have changed"],
        ["5-10"],
    ),
    (
        "pathology 255",
        ["chances in pathology? passed step 1 first attempt, ck 255, j1, 2024 grad"],
        ["very strong", "gives no specialty figures for Pathology"],
        ["challenging but possible"],
    ),
    (
        "h1b fee",
        ["j1 vs h1b"],
        ["USD 100,000", "change of status", "not settled in public sources", "2026 Pathways"],
        [],
    ),
    (
        "readable why",
        ["what are my chances in peds? failed step 1 once, ck 220, j1, 2022 grad", "why?"],
        ["Pediatrics article, Case 3"],
        [".txt", "PEDS.", "GEN."],
    ),
]


@pytest.mark.parametrize(
    ("name", "turns", "expected", "refused"), CONFORMANCE, ids=[c[0] for c in CONFORMANCE]
)
def test_article_conformance(rasa_stack, name, turns, expected, refused):
    sender = f"conf-{name.replace(' ', '-')}"
    replies: list[dict] = []
    for turn in turns:
        replies = rasa_stack.say(sender, turn)
        assert replies, f"no reply to {turn!r}"
    text = "\n".join(r.get("text", "") for r in replies)
    for phrase in expected:
        assert phrase in text, f"{name}: {phrase!r} missing from:\n{text}"
    for phrase in refused:
        assert phrase not in text, f"{name}: {phrase!r} should not be in:\n{text}"
