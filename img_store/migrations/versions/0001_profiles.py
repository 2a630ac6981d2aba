"""Remembered profiles.

Revision ID: 0001_profiles
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_profiles"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "img_profiles",
        sa.Column("channel", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_img_profiles_last_used_at", "img_profiles", ["last_used_at"])


def downgrade() -> None:
    op.drop_index("ix_img_profiles_last_used_at", table_name="img_profiles")
    op.drop_table("img_profiles")
