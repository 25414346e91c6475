"""Triage: the inferred department's score and top three on each ticket; dispatchers' labelled examples.

Revision ID: 0002_triage
Revises: 0001_tickets
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_triage"
down_revision = "0001_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("department_candidates", sa.Text(), nullable=True))
    op.create_table(
        "triage_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("suggested", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_triage_examples_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_examples")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_triage_examples_ticket_id")),
    )


def downgrade() -> None:
    op.drop_table("triage_examples")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("department_candidates")
        batch_op.drop_column("department_score")
