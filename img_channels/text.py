"""Message splitting shared by the channels with a length limit."""

from __future__ import annotations

# Preferred cut points, best first; a cut is only taken in the second half of a window,
# so no part is needlessly short.
_BOUNDARIES = ("\n\n", "\n", ". ", " ")


def split_message(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, cut at a paragraph, line, sentence or word
    boundary where one exists; never an empty part."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = limit  # one very long word: cut it where the limit falls
        for boundary in _BOUNDARIES:
            found = window.rfind(boundary)
            if found >= limit // 2:
                cut = found + len(boundary.rstrip())
                break
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
