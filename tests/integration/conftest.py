"""Fixtures of the apps whose behaviour these tests join up."""

from govhall.exchange.tests.conftest import (  # noqa: F401 (pytest fixtures)
    civil_affairs,
    county,
    empty_cache,
    item,
    parent,
    story,
)
