from .clients import ExchangeCall, ExchangeClient
from .delivery import DeliveryAlert, DeliveryAttempt
from .quality import QualityCheck, QualityDay, QualityIssue

__all__ = [
    "DeliveryAlert",
    "DeliveryAttempt",
    "ExchangeCall",
    "ExchangeClient",
    "QualityCheck",
    "QualityDay",
    "QualityIssue",
]
