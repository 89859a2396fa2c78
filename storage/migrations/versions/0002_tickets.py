"""Tickets and their event log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.String(128)
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", KEY, nullable=False),
        sa.Column("chat", KEY, nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", TIME, nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("first_response_at", TIME, nullable=True),
        sa.Column("responder", KEY, nullable=True),
        sa.Column("assignee", KEY, nullable=True),
        sa.Column("snoozed_until", TIME, nullable=True),
        sa.Column("staff_message_id", sa.String(64), nullable=True),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
    )
    op.create_index("ix_tickets_state_due", "tickets", ["state", "due_at"])
    op.create_index("ix_tickets_member", "tickets", ["member", "opened_at"])
    op.create_index("ix_tickets_opened", "tickets", ["opened_at"])
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", KEY, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_ticket_events_ticket_id_tickets", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_events"),
    )
    op.create_index("ix_ticket_events_ticket", "ticket_events", ["ticket_id", "at"])
    op.create_index("ix_ticket_events_at", "ticket_events", ["at"])


def downgrade() -> None:
    op.drop_table("ticket_events")
    op.drop_table("tickets")
