"""The case engine's one way to refuse (field, rule, Chinese message), used here too."""

from govhall.cases.services.errors import refuse

__all__ = ["refuse"]
