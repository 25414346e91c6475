"""好差评 of conversations (chat and 人工客服), given on the web chat page.

Revision ID: 0002_service_ratings
Revises: 0001_console
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_service_ratings"
down_revision = "0001_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_service_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_service_ratings")),
        sa.UniqueConstraint("conversation_id", "kind", name=op.f("uq_console_service_ratings_conversation_id")),
    )
    with op.batch_alter_table("console_service_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_service_ratings_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_console_service_ratings_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("console_service_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_service_ratings_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_console_service_ratings_at"))
    op.drop_table("console_service_ratings")
