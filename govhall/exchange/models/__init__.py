from .clients import ExchangeCall, ExchangeClient
from .delivery import DeliveryAlert, DeliveryAttempt
from .quality import QualityCheck, QualityDay, QualityIssue, RejectedRecord

__all__ = [
    "DeliveryAlert",
    "DeliveryAttempt",
    "ExchangeCall",
    "ExchangeClient",
    "QualityCheck",
    "QualityDay",
    "QualityIssue",
    "RejectedRecord",
]
