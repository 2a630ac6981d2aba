"""Rasa input channels for the advisor: REST, the web widget (socketio), Telegram and
WhatsApp through Twilio. Every channel passes each turn through one ``TurnGuard``
(rate limit, reply timeout, "advice unavailable" and "saving failed" notices)."""
