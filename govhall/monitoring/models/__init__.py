from .facts import CaseFact, MonthlyRollup, RefreshState
from .targets import Indicator, PageUsage, PopulationBase, Target, TargetScope

__all__ = [
    "CaseFact",
    "Indicator",
    "MonthlyRollup",
    "PageUsage",
    "PopulationBase",
    "RefreshState",
    "Target",
    "TargetScope",
]
