"""Initial schema: members, chats, strikes, sanctions, audit log, processed updates.

Revision ID: 0001
Revises:
Create Date: 2025-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's column types: a migration must not change when the models do later.
KEY = sa.String(128)
NAME = sa.String(256)
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("key", KEY, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", KEY, nullable=False),
        sa.Column("display_name", NAME, nullable=True),
        sa.Column("username", NAME, nullable=True),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_members"),
    )
    op.create_table(
        "chats",
        sa.Column("key", KEY, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", NAME, nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_chats"),
    )
    op.create_table(
        "strikes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", KEY, nullable=False),
        sa.Column("chat", KEY, nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("last_at", TIME, nullable=False),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.Column("expires_at", TIME, nullable=True),
        sa.Column("pardoned_at", TIME, nullable=True),
        sa.Column("pardoned_by", KEY, nullable=True),
        sa.Column("pardon_reason", sa.Text(), nullable=True),
        sa.Column("policy_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_strikes"),
    )
    op.create_index("ix_strikes_member", "strikes", ["member", "at"])
    op.create_table(
        "sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", KEY, nullable=False),
        sa.Column("chat", KEY, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("until", TIME, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("strike_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", KEY, nullable=True),
        sa.Column("decided_at", TIME, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["strike_id"], ["strikes.id"], name="fk_sanctions_strike_id_strikes", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sanctions"),
    )
    op.create_index("ix_sanctions_member", "sanctions", ["member", "at"])
    op.create_index("ix_sanctions_status_until", "sanctions", ["status", "until"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("member", KEY, nullable=True),
        sa.Column("chat", KEY, nullable=True),
        sa.Column("rule", sa.String(64), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("policy_hash", sa.String(64), nullable=True),
        sa.Column("actor", KEY, nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_member", "audit_log", ["member", "at"])
    op.create_index("ix_audit_log_kind", "audit_log", ["kind", "at"])
    op.create_table(
        "processed_updates",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("update_id", sa.String(128), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("source", "update_id", name="pk_processed_updates"),
    )


def downgrade() -> None:
    op.drop_table("processed_updates")
    op.drop_table("audit_log")
    op.drop_table("sanctions")
    op.drop_table("strikes")
    op.drop_table("chats")
    op.drop_table("members")
