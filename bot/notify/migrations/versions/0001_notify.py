"""notice tables: subscriptions, outbox, deadline warnings, digests

Revision ID: 0001_notify
Revises:
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_notify"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_deadline_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.String(length=20), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.Column("seen_by", sa.String(length=50), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_deadline_warnings")),
        sa.UniqueConstraint("ticket_id", "kind", name="uq_notify_deadline_warnings_ticket_kind"),
    )
    with op.batch_alter_table("notify_deadline_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_deadline_warnings_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_deadline_warnings_department"), ["department"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_deadline_warnings_ticket_number"), ["ticket_number"], unique=False)

    op.create_table(
        "notify_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_soon", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("failed_notices", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_digests")),
        sa.UniqueConstraint("day", name=op.f("uq_notify_digests_day")),
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("ticket_number", sa.String(length=20), nullable=True),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("recipient_label", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_ref", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("retried_by", sa.String(length=50), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notify_outbox_idempotency_key")),
    )
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_outbox_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_notify_outbox_state_next_attempt_at", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_ticket_number"), ["ticket_number"], unique=False)

    op.create_table(
        "notify_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_subscriptions")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_notify_subscriptions_ticket_id")),
    )


def downgrade() -> None:
    op.drop_table("notify_subscriptions")
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_outbox_ticket_number"))
        batch_op.drop_index(batch_op.f("ix_notify_outbox_ticket_id"))
        batch_op.drop_index("ix_notify_outbox_state_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_notify_outbox_created_at"))

    op.drop_table("notify_outbox")
    op.drop_table("notify_digests")
    with op.batch_alter_table("notify_deadline_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_deadline_warnings_ticket_number"))
        batch_op.drop_index(batch_op.f("ix_notify_deadline_warnings_department"))
        batch_op.drop_index(batch_op.f("ix_notify_deadline_warnings_created_at"))

    op.drop_table("notify_deadline_warnings")
