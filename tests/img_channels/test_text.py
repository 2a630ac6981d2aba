from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from img_channels.text import split_message


def test_short_text_is_one_part():
    assert split_message("  hello  ", 10) == ["hello"]


def test_cuts_at_paragraphs_first():
    text = "a" * 60 + "\n\n" + "b" * 60
    assert split_message(text, 100) == ["a" * 60, "b" * 60]


def test_cuts_at_a_word_when_there_is_no_line_break():
    parts = split_message("word " * 50, 42)
    assert all(part.endswith("word") for part in parts)


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=10, max_value=500))
def test_parts_respect_the_limit_and_keep_every_word(text, limit):
    parts = split_message(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())
