"""Rasa input channels for the advisor: REST, the web widget (socketio), Telegram and
WhatsApp through Twilio. Every channel passes each turn through one ``TurnGuard``
(rate limit, reply timeout, "advice unavailable" and "saving failed" notices)."""

from img_channels import rasa_fixes

# Rasa imports the channels at start-up, before it serves anything.
rasa_fixes.apply()
