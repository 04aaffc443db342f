from .audit import AuditChainHead, AuditEntry
from .calendar import CalendarDay, CalendarYear

__all__ = ["AuditChainHead", "AuditEntry", "CalendarDay", "CalendarYear"]
