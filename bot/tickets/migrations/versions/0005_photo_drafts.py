"""Photos added in the complaint form before the ticket exists (issue 17): photo_drafts.

Revision ID: 0005_photo_drafts
Revises: 0004_ticket_media
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_photo_drafts"
down_revision = "0004_ticket_media"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("token", sa.String(40), nullable=False, unique=True),
        sa.Column("content_type", sa.String(30), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("had_location", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index(op.f("ix_photo_drafts_conversation_id"), "photo_drafts", ["conversation_id"])
    op.create_index(op.f("ix_photo_drafts_created_at"), "photo_drafts", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_photo_drafts_created_at"), table_name="photo_drafts")
    op.drop_index(op.f("ix_photo_drafts_conversation_id"), table_name="photo_drafts")
    op.drop_table("photo_drafts")
