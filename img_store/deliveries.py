"""Which webhook messages were already taken, shared by every server instance.

Meta (and other platforms) deliver a webhook again when they did not get a timely 200, so
one message can arrive twice, possibly on two instances at once. The first to insert the
message id wins; the others see the primary key taken and stay silent. Only ids are kept,
never message text.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, String, delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped

from img_store.profiles import make_engine, mapper_registry
from img_store.settings import DatabaseSettings

# Meta retries a failed webhook for up to 7 days; a day more covers clock skew.
DELIVERY_RETENTION_DAYS = 8
MESSAGE_ID_MAX_CHARS = 160


@mapper_registry.mapped
class WebhookDelivery:
    __tablename__ = "img_webhook_deliveries"

    channel: Mapped[str] = Column(String(32), primary_key=True)
    message_id: Mapped[str] = Column(String(MESSAGE_ID_MAX_CHARS), primary_key=True)
    received_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, index=True)


class DeliveryLedger:
    """``claim`` is atomic across processes: the database's primary key decides."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, channel: str, message_id: str, *, now: datetime | None = None) -> bool:
        """True the first time a message id is seen on a channel, False for a repeat."""
        if not message_id or len(message_id) > MESSAGE_ID_MAX_CHARS:
            raise ValueError("message id empty or too long")
        row = {
            "channel": channel,
            "message_id": message_id,
            "received_at": now or datetime.now(timezone.utc),
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(WebhookDelivery.__table__).values(**row))
        except IntegrityError:
            return False
        return True

    def purge(
        self, older_than_days: int = DELIVERY_RETENTION_DAYS, *, now: datetime | None = None
    ) -> int:
        """Forget claims older than any retry could be; returns how many."""
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)
        with self.engine.begin() as connection:
            return connection.execute(
                delete(WebhookDelivery.__table__).where(WebhookDelivery.received_at < cutoff)
            ).rowcount


def open_delivery_ledger(settings: DatabaseSettings | None = None) -> DeliveryLedger:
    """A ledger on the TRACKER_* database, whose schema must be current."""
    from img_store.migrations import check_schema_current

    engine = make_engine(settings)
    check_schema_current(engine)
    return DeliveryLedger(engine)
