"""Storage: Rasa's tracker store configured from the environment (SQLite by default)."""
