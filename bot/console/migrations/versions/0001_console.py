"""Console tables: users, sessions, audit log, imported messages and inbox groups, training jobs, 回访.

Revision ID: 0001_console
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_console"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_audit_log")),
    )
    with op.batch_alter_table("console_audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_audit_log_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_audit_log_target"), ["target"], unique=False)

    op.create_table(
        "console_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_followups")),
    )
    with op.batch_alter_table("console_followups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_followups_ticket_number"), ["ticket_number"], unique=False)

    op.create_table(
        "console_inbox_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("representative", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_inbox_groups")),
    )
    op.create_table(
        "console_sync_state",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_console_sync_state")),
    )
    op.create_table(
        "console_train_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=50), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("return_code", sa.Integer(), nullable=True),
        sa.Column("model_path", sa.Text(), nullable=True),
        sa.Column("log_path", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_train_jobs")),
    )
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("username", name=op.f("uq_console_users_username")),
    )
    op.create_table(
        "console_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_payload", sa.Boolean(), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("top_intent", sa.String(length=100), nullable=True),
        sa.Column("top_confidence", sa.Float(), nullable=True),
        sa.Column("service", sa.String(length=100), nullable=True),
        sa.Column("actions", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("label_intent", sa.String(length=100), nullable=True),
        sa.Column("label_example", sa.Text(), nullable=True),
        sa.Column("handled_by", sa.String(length=50), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["console_inbox_groups.id"],
            name=op.f("fk_console_messages_group_id_console_inbox_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_messages")),
        sa.UniqueConstraint("event_id", name=op.f("uq_console_messages_event_id")),
    )
    with op.batch_alter_table("console_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_messages_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_messages_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_messages_handled_at"), ["handled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_messages_intent"), ["intent"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_messages_reason"), ["reason"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_messages_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_messages_service"), ["service"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_messages_status"), ["status"], unique=False)

    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name=op.f("fk_console_sessions_user_id_console_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_sessions_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_console_sessions_expires_at"))

    op.drop_table("console_sessions")
    with op.batch_alter_table("console_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_messages_status"))
        batch_op.drop_index(batch_op.f("ix_console_messages_service"))
        batch_op.drop_index(batch_op.f("ix_console_messages_sender_id"))
        batch_op.drop_index(batch_op.f("ix_console_messages_reason"))
        batch_op.drop_index(batch_op.f("ix_console_messages_intent"))
        batch_op.drop_index(batch_op.f("ix_console_messages_handled_at"))
        batch_op.drop_index(batch_op.f("ix_console_messages_group_id"))
        batch_op.drop_index(batch_op.f("ix_console_messages_at"))

    op.drop_table("console_messages")
    op.drop_table("console_users")
    op.drop_table("console_train_jobs")
    op.drop_table("console_sync_state")
    op.drop_table("console_inbox_groups")
    with op.batch_alter_table("console_followups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_followups_ticket_number"))

    op.drop_table("console_followups")
    with op.batch_alter_table("console_audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_audit_log_target"))
        batch_op.drop_index(batch_op.f("ix_console_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_console_audit_log_actor"))
        batch_op.drop_index(batch_op.f("ix_console_audit_log_action"))

    op.drop_table("console_audit_log")
