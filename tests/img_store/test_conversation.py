from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from img_store.conversation import (
    USER_ID_MAX_CHARS,
    Channel,
    ConversationKey,
    InvalidUserId,
    check_user_id,
)


def test_each_channel_prefixes_its_own_ids():
    assert ConversationKey(Channel.REST, "user-42").sender_id == "rest:user-42"
    assert ConversationKey(Channel.TELEGRAM, "-100:7").sender_id == "telegram:-100:7"
    assert ConversationKey(Channel.WHATSAPP, "+1555").sender_id == "whatsapp:+1555"
    assert ConversationKey(Channel.SHELL, "abc123").sender_id == "abc123"


def test_a_rest_sender_naming_another_channel_stays_a_rest_conversation():
    key = ConversationKey(Channel.REST, "whatsapp:+15551234567")
    assert ConversationKey.parse(key.sender_id) == key
    assert key.sender_id != ConversationKey(Channel.WHATSAPP, "+15551234567").sender_id


@pytest.mark.parametrize(
    "bad", ["", None, 42, "x" * (USER_ID_MAX_CHARS + 1), "a b", "a/b", "é", "a\nb"]
)
def test_unusable_user_ids_are_refused_with_a_reason(bad):
    with pytest.raises(InvalidUserId):
        check_user_id(bad)


@given(
    st.sampled_from([c for c in Channel if c is not Channel.SHELL]),
    st.from_regex(r"[A-Za-z0-9_.:@+=-]{1,128}", fullmatch=True),
)
def test_parse_inverts_sender_id(channel, user_id):
    key = ConversationKey(channel, user_id)
    assert ConversationKey.parse(key.sender_id) == key
    assert len(key.sender_id) <= 255  # the tracker store's column
