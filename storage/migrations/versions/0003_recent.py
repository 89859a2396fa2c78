"""Recent messages (flood windows) and joins (probation), so both survive a restart; a ticket's topic
in a forum staff chat.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.String(128)
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recent_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", KEY, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("text_key", sa.Text(), nullable=False),
        sa.Column("message", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recent_messages"),
    )
    op.create_index("ix_recent_messages_member", "recent_messages", ["member", "at"])
    op.create_index("ix_recent_messages_at", "recent_messages", ["at"])
    op.create_table(
        "joins",
        sa.Column("chat", KEY, nullable=False),
        sa.Column("member", KEY, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("chat", "member", name="pk_joins"),
    )
    op.create_index("ix_joins_at", "joins", ["at"])
    # SQLite cannot alter a table in place: batch mode copies it with the new column.
    with op.batch_alter_table("tickets") as tickets:
        tickets.add_column(sa.Column("staff_topic_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as tickets:
        tickets.drop_column("staff_topic_id")
    op.drop_table("joins")
    op.drop_table("recent_messages")
