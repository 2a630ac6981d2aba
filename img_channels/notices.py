"""What a channel says itself, when a turn could not be answered normally."""

RATE_LIMITED = (
    "You're sending messages faster than I can answer them well. Please wait a minute, "
    "then send your question again."
)
ADVICE_UNAVAILABLE = (
    "Sorry, advice is temporarily unavailable. Please try again in a few minutes; "
    "what you told me so far is kept."
)
SAVE_FAILED = (
    "I couldn't save this part of our conversation just now. You can carry on, "
    "but if I seem to forget something, please tell me again."
)
TEXT_ONLY = (
    "I can only read text messages. Please type your question, with your scores as numbers "
    "(for example: CK 232, Step 1 passed, need a J-1)."
)


def too_long(max_chars: int) -> str:
    """The reply to a message over the length limit (which is never repeated back)."""
    return (
        f"That message is longer than I can read ({max_chars:,} characters at most). "
        "Please send a shorter one: your scores, attempts, visa and your question in a "
        "line or two are enough."
    )
