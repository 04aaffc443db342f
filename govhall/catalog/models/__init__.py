"""Models of the item catalogue (§2); docs/catalog.md has the overview."""

from .bundles import Bundle, BundleMember
from .choices import (
    Audience,
    CaseType,
    ChangeType,
    Depth,
    ExerciseLevel,
    HandlingScope,
    ItemType,
    MaterialMedia,
    MaterialSource,
    RelationKind,
    RiskLevel,
    SpecialProcedureKind,
    ThemeAudience,
)
from .items import (
    FAQ,
    BasicItem,
    Fee,
    Item,
    ItemRelation,
    ItemVersion,
    Material,
    SpecialProcedure,
    Step,
    audience_q,
)
from .scenarios import Scenario, ScenarioOption, ScenarioOutcome, ScenarioQuestion
from .themes import LifeEvent, Theme
from .workflow import ChangeRecord, ReviewRecord

__all__ = [
    "FAQ",
    "Audience",
    "BasicItem",
    "Bundle",
    "BundleMember",
    "CaseType",
    "ChangeRecord",
    "ChangeType",
    "Depth",
    "ExerciseLevel",
    "Fee",
    "HandlingScope",
    "Item",
    "ItemRelation",
    "ItemType",
    "ItemVersion",
    "LifeEvent",
    "Material",
    "MaterialMedia",
    "MaterialSource",
    "RelationKind",
    "ReviewRecord",
    "RiskLevel",
    "Scenario",
    "ScenarioOption",
    "ScenarioOutcome",
    "ScenarioQuestion",
    "SpecialProcedure",
    "SpecialProcedureKind",
    "Step",
    "Theme",
    "ThemeAudience",
    "audience_q",
]
