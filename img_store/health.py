"""Whether conversations are being saved: the signal the tracker store raises and the
channels' TurnGuard asks for, to tell a user once that saving failed."""

from __future__ import annotations

from functools import cache


class SaveHealth:
    """Conversations whose save failed and whose user has not been told yet."""

    def __init__(self) -> None:
        self._untold: set[str] = set()

    def save_failed(self, sender_id: str) -> None:
        self._untold.add(sender_id)

    def take_failure(self, sender_id: str) -> bool:
        """True (once) if a save of this conversation failed since the last time asked."""
        if sender_id in self._untold:
            self._untold.discard(sender_id)
            return True
        return False

    @staticmethod
    @cache
    def of_process() -> SaveHealth:
        """The one both sides use by default: Rasa builds the tracker store and the
        channels in one process and gives neither a reference to the other."""
        return SaveHealth()
