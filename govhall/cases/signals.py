"""Hooks into other subsystems."""

from govhall.accounts.services import export

from .services import queries

export.register_section("cases", queries.export_for_user)
