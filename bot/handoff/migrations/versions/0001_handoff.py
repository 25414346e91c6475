"""Handoff tables: requests (the queue and each live chat), their events (status, staff messages), staff presence.

Revision ID: 0001_handoff
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_handoff"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("open_conversation", sa.String(length=255), nullable=True),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("elderly", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("poll_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=20), nullable=True),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("staff_username", sa.String(length=50), nullable=True),
        sa.Column("staff_display_name", sa.String(length=50), nullable=True),
        sa.Column("ticket_number", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_requests")),
        sa.UniqueConstraint("open_conversation", name=op.f("uq_handoff_requests_open_conversation")),
    )
    with op.batch_alter_table("handoff_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_requests_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_requests_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_requests_staff_user_id"), ["staff_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_requests_status"), ["status"], unique=False)

    op.create_table(
        "handoff_staff",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_handoff_staff")),
    )
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("staff_display_name", sa.String(length=50), nullable=True),
        sa.Column("ticket_number", sa.String(length=20), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["handoff_requests.id"],
            name=op.f("fk_handoff_events_request_id_handoff_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_events_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_events_request_id"))

    op.drop_table("handoff_events")
    op.drop_table("handoff_staff")
    with op.batch_alter_table("handoff_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_requests_status"))
        batch_op.drop_index(batch_op.f("ix_handoff_requests_staff_user_id"))
        batch_op.drop_index(batch_op.f("ix_handoff_requests_created_at"))
        batch_op.drop_index(batch_op.f("ix_handoff_requests_conversation_id"))

    op.drop_table("handoff_requests")
