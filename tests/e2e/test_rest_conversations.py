"""Multi-turn conversations over the REST channel against the real servers.

The final answers must carry the figures the articles' worked cases and FAQs give.
"""

from __future__ import annotations

import pytest

from tests.conversations.runner import conversation_id as rest_conversation_id

pytestmark = pytest.mark.e2e

# (name, user turns, phrases the last reply batch must contain)
CONVERSATIONS = [
    (
        "gen scenario 1",
        [
            "which specialties are realistic for me",
            "passed step 1 on the first attempt",
            "245",
            "j1",
            "graduated in 2025",
        ],
        ["Psychiatry: realistic.", "some academic programs are within reach"],
    ),
    (
        "gen scenario 2",
        [
            "what specialty should i choose? cleared step1 first attempt, ck 228",
            "I need a J1",
            "yog 2022",
        ],
        # FM first, then community-heavy IM and Peds (#19 item 2: this expected the old
        # wording, "community IM and IMG-friendly programs").
        ["community-heavy Internal Medicine", "Most realistic for you: Family Medicine"],
    ),
    (
        "gen scenario 3",
        ["which fields are realistic with a step 1 fail? ck 218", "j1", "i graduated 6 years ago"],
        ["preliminary IM or transitional-year positions", "6 years ago"],
    ),
    (
        "peds case 1",
        [
            "how many peds programs should i apply to",
            "passed step 1 on the first attempt",
            "my ck was two forty five",
            "i need a j1",
        ],
        ["Apply to 70-90 Pediatrics programs."],
    ),
    (
        "peds case 2",
        ["how many programs for pediatrics? step 1 score 215, ck 232", "j1 or h1b"],
        ["Apply to 80-100 Pediatrics programs.", "university-affiliated"],
    ),
    (
        "peds case 3",
        [
            "can I match pediatrics with a Step 1 fail?",
            "220",
            "j1",
            "graduated in 2022",
            "how many programs should I apply to",
        ],
        ["Apply to 100+ Pediatrics programs.", "smaller or newer programs"],
    ),
    ("peds faq 1", ["what is a safe ck for peds"], ["235-240 or more", "225-234"]),
    (
        "peds faq 2",
        ["Can I still match pediatrics with a Step 1 fail? ck 240, j1, 2023 grad"],
        ["235+", "holistic review"],
    ),
    (
        "peds postpone",
        ["should i postpone ck for peds? nbme 214"],
        # The article's hedge (#19 item 5: this expected "Postpone").
        ["Seriously consider delaying", "by a year", "10-15+ points"],
    ),
    ("gen faq 1", ["what ck should i aim for in IM, i failed step 1 once"], ["235-245+"]),
    (
        "gen faq 3",
        ["should i delay my application a year? passed s1 first attempt, ck 236, applying IM"],
        ["Apply on time"],
    ),
    (
        "step 3 for h1b",
        ["do i need step 3 for an h1b", "we need h-1b, ck 247"],
        ["For an H-1B you need Step 3 passed"],
    ),
    ("visa", ["j1 vs h1b"], ["267 (63.7%)", "92 (22%)", "Conrad 30", "USD 100,000"]),
    ("ck timing", ["when should i take step 2 ck"], ["3-6 months", "May-July"]),
    ("preparation", ["how should I prepare for ck"], ["60-80 questions a day", "4-10 weeks"]),
    (
        "retake",
        ["can I retake step 2 to improve my score? passed step 1, ck 225"],
        ["cannot retake"],
    ),
    ("match stats", ["what is the match rate for imgs"], ["58.0%", "(reported)"]),
    (
        "derm",
        ["is derm possible for me? passed s1 first attempt, ck 255, j1, graduated 2024"],
        # The article's words (#19 items 3 and 8: this expected "a long shot").
        ["may not be enough", "IM, FM, Peds, Psych and Neuro"],
    ),
    (
        "what if",
        [
            "can I match pediatrics with a Step 1 fail?",
            "220",
            "j1",
            "graduated in 2022",
            "what if I get 245",
        ],
        ["hypothetical", "Step 2 CK: 245"],
    ),
    (
        "correction",
        [
            "is 228 enough for IM? passed s1 first attempt, j1, 2022 grad",
            "sorry my CK is 241 not 228",
        ],
        ["Noted: Step 2 CK: 241.", "Your outlook for Internal Medicine: strong."],
    ),
    ("invalid score", ["should i postpone my exam", "ck 350"], ["1-300"]),
    (
        "plan",
        ["make me a plan. passed step 1 first attempt, ck 236"],
        ["Your plan aims at the 2028 Match", "September 2027: submit ERAS", "March 2028"],
    ),
    (
        "plan for a named match",
        ["plan for 2029 match pls, passed s1 first try, ck not taken yet", "nbme 221"],
        ["You asked for the 2029 Match", "estimate your score range", "Step 2 CK:"],
    ),
    (
        "chart as a text bar",
        ["is 232 enough for IM? passed s1 first attempt, j1, 2022 grad"],
        ["Where your CK stands: 210 ─ 220 ─ 230 ─[232]─ 240 ─ 250"],
    ),
    # Readable citations (#19 item 8: this expected the article's file name).
    ("why", ["what is a safe ck for peds", "why?"], ["Pediatrics article, FAQ 1"]),
    (
        "skip",
        ["what are my chances for im? passed s1, ck 241", "i'd rather not say", "rather not share"],
        ["Your outlook for Internal Medicine: strong."],
    ),
    (
        "forget me",
        ["ck 241, j1", "forget me", "what do you know about me"],
        ["don't know anything about you"],
    ),
]


@pytest.mark.parametrize(
    ("name", "turns", "expected"), CONVERSATIONS, ids=[c[0] for c in CONVERSATIONS]
)
def test_conversation(rasa_stack, name, turns, expected):
    sender = f"e2e-{name.replace(' ', '-')}"
    replies: list[dict] = []
    for turn in turns:
        replies = rasa_stack.say(sender, turn)
        assert replies, f"no reply to {turn!r}"
    text = "\n".join(r.get("text", "") for r in replies)
    for phrase in expected:
        assert phrase in text, f"{name}: {phrase!r} missing from:\n{text}"


def test_first_answer_carries_the_disclaimer_once(rasa_stack):
    first = rasa_stack.say("e2e-disclaimer", "what is a safe ck for IM")
    assert "educational guidance" in first[0]["text"]
    second = rasa_stack.say("e2e-disclaimer", "how should I prepare for ck")
    assert all("educational guidance" not in r.get("text", "") for r in second)


def test_answers_name_their_question_in_the_reply_and_the_tracker(rasa_stack):
    sender = "e2e-interviews"
    replies = rasa_stack.say(sender, "how many interviews do i need to match")
    assert rasa_stack.answered(replies) == {"interviews"}
    assert "Aim for about 8 interviews or more" in "\n".join(r.get("text", "") for r in replies)
    events = rasa_stack.tracker(rest_conversation_id(sender))["events"]
    bot = [e for e in events if e["event"] == "bot"]
    assert {e["metadata"].get("metadata", {}).get("question") for e in bot} >= {"interviews"}
    assert rasa_stack.answered(rasa_stack.say(sender, "hi")) == set()


def test_http_api_refuses_requests_without_the_token(rasa_stack):
    assert rasa_stack.get("/conversations/e2e-why/tracker") == 401
    assert rasa_stack.get("/conversations/e2e-why/tracker", token="wrong") == 401
    assert rasa_stack.get("/conversations/e2e-why/tracker", token="e2e-test-token") == 200


def test_consent_then_forget_me_leaves_no_row_in_either_store(rasa_stack):
    sender = "e2e-consent"
    rasa_stack.say(sender, "is 232 enough for IM? passed s1 first attempt, j1, 2023 grad")
    assert "Saved." in rasa_stack.say(sender, "yes")[0]["text"]
    assert rasa_stack.rows("SELECT COUNT(*) FROM img_profiles WHERE user_id = ?", sender) == 1
    shown = rasa_stack.say(sender, "what do you know about me")[0]["text"]
    assert shown.startswith("Saved with your consent:") and "Step 2 CK: 232" in shown
    assert "deleted everything" in rasa_stack.say(sender, "forget me")[0]["text"]
    assert rasa_stack.rows("SELECT COUNT(*) FROM img_profiles WHERE user_id = ?", sender) == 0
    conversation = rest_conversation_id(sender)
    assert rasa_stack.rows("SELECT COUNT(*) FROM events WHERE sender_id = ?", conversation) == 0


def test_conversation_survives_a_rasa_server_restart(rasa_stack):
    sender = "e2e-restart"
    first = rasa_stack.say(sender, "how many peds programs should i apply to")
    assert "How did Step 1 go?" in first[-1]["text"]
    rasa_stack.say(sender, "passed step 1 on the first attempt")
    rasa_stack.restart_rasa()
    rasa_stack.say(sender, "233")
    final = "\n".join(r.get("text", "") for r in rasa_stack.say(sender, "i need a j1"))
    assert "Apply to 80-100 Pediatrics programs." in final


def test_returning_user_is_welcomed_back_with_the_saved_profile(rasa_stack):
    sender = "e2e-returning"
    rasa_stack.say(sender, "what is a safe ck for peds? passed s1, ck 238, j1")
    rasa_stack.say(sender, "yes")
    rasa_stack.say(sender, "/session_start")  # a new session starts with no slots carried over
    greeting = rasa_stack.say(sender, "hi")[0]["text"]
    assert greeting.startswith("Welcome back! I still have:") and "Step 2 CK: 238" in greeting
    assert "Is that still current?" in greeting
