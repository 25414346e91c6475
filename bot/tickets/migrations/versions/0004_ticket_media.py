"""Photos attached to tickets by citizens (issue 17): ticket_media.

Revision ID: 0004_ticket_media
Revises: 0003_period_indexes
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_ticket_media"
down_revision = "0003_period_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_media",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token", sa.String(40), nullable=False, unique=True),
        sa.Column("content_type", sa.String(30), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("had_location", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index(op.f("ix_ticket_media_ticket_id"), "ticket_media", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_media_ticket_id"), table_name="ticket_media")
    op.drop_table("ticket_media")
