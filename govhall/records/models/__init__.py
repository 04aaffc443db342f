from .records import MessageType, OutboxMessage, ProcessRecord

__all__ = ["MessageType", "OutboxMessage", "ProcessRecord"]
