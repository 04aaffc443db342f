"""Accounts and identity (§4). Split by concern; import models from here."""

from .identity import (
    ALL_POWERS,
    AgentGrant,
    Company,
    Person,
    Power,
    RealNameLevel,
    RealNameVerification,
    mask_mobile,
)
from .legacy import LegacyImport
from .legal import LegalAcceptance, LegalDocument
from .oidc import AuthorizationContext, ClientProfile
from .security import Channel, LoginEvent, LoginThrottle, PhoneCode
from .user import User

__all__ = [
    "ALL_POWERS",
    "AgentGrant",
    "AuthorizationContext",
    "Channel",
    "ClientProfile",
    "Company",
    "LegacyImport",
    "LegalAcceptance",
    "LegalDocument",
    "LoginEvent",
    "LoginThrottle",
    "Person",
    "PhoneCode",
    "Power",
    "RealNameLevel",
    "RealNameVerification",
    "User",
    "mask_mobile",
]
