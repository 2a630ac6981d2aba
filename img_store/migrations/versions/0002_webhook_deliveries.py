"""Webhook deliveries already answered, so a platform's retry is not answered twice.

Revision ID: 0002_webhook_deliveries
Revises: 0001_profiles
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_webhook_deliveries"
down_revision = "0001_profiles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "img_webhook_deliveries",
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("message_id", sa.String(160), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_img_webhook_deliveries_received_at", "img_webhook_deliveries", ["received_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_img_webhook_deliveries_received_at", table_name="img_webhook_deliveries")
    op.drop_table("img_webhook_deliveries")
