"""The project's own Rasa event: "forget this conversation".

"Forget me" must delete the conversation's stored events and keep this turn's from being
written back. The action server cannot reach the Rasa server's tracker store, so the
forget-me action returns this event, and the tracker store acts on it by its type when
Rasa saves the turn. Rasa finds event classes by ``type_name`` among the subclasses of
``Event`` it has loaded (this module is loaded with the tracker store); its check of action
responses learns the type from ``img_rasa`` (see ``RESPONSE_SCHEMA``).
"""

from __future__ import annotations

from rasa.shared.core.events import AlwaysEqualEventMixin

from img_store.conversation import FORGET_CONVERSATION

# How the event looks in an action server's response (Rasa's schema lists one per type).
RESPONSE_SCHEMA = {"properties": {"event": {"const": FORGET_CONVERSATION}}}


class ConversationForgotten(AlwaysEqualEventMixin):
    """The user asked to be forgotten; it changes nothing in the tracker itself."""

    type_name = FORGET_CONVERSATION

    def __hash__(self) -> int:
        return hash(self.type_name)

    def as_story_string(self) -> None:
        return None  # not part of any story
