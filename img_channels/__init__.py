"""Rasa input channels for the advisor: REST, the web widget (socketio), Telegram and
WhatsApp (Twilio and the Cloud API). Every channel passes each turn through one
``TurnGuard`` (rate limit, reply timeout, "advice unavailable" and "saving failed" notices).
Changes to Rasa's internals live in ``img_rasa``, applied by each entry point."""
