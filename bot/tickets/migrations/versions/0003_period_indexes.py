"""Indexes for the console's period queries: ratings given and tickets closed in a period (issue 19).

Without them the dashboard and the monthly report scan the whole tickets and ticket_events tables.

Revision ID: 0003_period_indexes
Revises: 0002_triage
Create Date: 2026-12-03
"""

from alembic import op

revision = "0003_period_indexes"
down_revision = "0002_triage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_tickets_rated_at"), "tickets", ["rated_at"])
    op.create_index("ix_ticket_events_to_status_created_at", "ticket_events", ["to_status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_ticket_events_to_status_created_at", table_name="ticket_events")
    op.drop_index(op.f("ix_tickets_rated_at"), table_name="tickets")
