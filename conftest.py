"""Shared pytest fixtures: the reference data every test can rely on, and factories."""

import pytest
from django.core.management import call_command


def _load_reference_data():
    from govhall.core.services import calendar
    from govhall.regions.services import loading

    loading.load_regions()
    loading.create_halls()
    loading.load_departments()
    calendar.load_years_from_package()
    calendar.invalidate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate once, then load regions, halls, departments and holidays once per run."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture
def reference_data(db):
    """For transactional tests (which flush tables): reload what a flush removed."""
    from govhall.regions.models import Region

    if not Region.objects.exists():
        _load_reference_data()


@pytest.fixture
def transactional_reference_data(transactional_db):
    from govhall.regions.models import Region

    if not Region.objects.exists():
        _load_reference_data()
    yield
    call_command("flush", "--no-input", verbosity=0)
