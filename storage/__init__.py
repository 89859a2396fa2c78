"""Everything that must survive a restart, behind SQLAlchemy: open a Database, work in units of a Ledger."""

from storage.db import Database
from storage.ledger import Ledger
from storage.records import AuditRecord, MemberRecord, SanctionRecord, StrikeRecord

__all__ = ["AuditRecord", "Database", "Ledger", "MemberRecord", "SanctionRecord", "StrikeRecord"]
