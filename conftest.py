"""Shared pytest fixtures: the reference data every test can rely on, and factories."""

import os
import shutil
import tempfile

import pytest


def pytest_configure(config):
    """Tests run background tasks inline (the database queue needs a worker process)."""
    from django.test import override_settings

    override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ).enable()
    # A read replica that mirrors the test database; reads go there only in tests that
    # turn the router on (GOVHALL_READ_REPLICA), see govhall/operations/tests/test_replica.py.
    from django.conf import settings

    settings.DATABASES.setdefault(
        "replica", {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    )


def _load_reference_data():
    from govhall.core.services import calendar
    from govhall.monitoring.services import targets
    from govhall.regions.services import loading

    loading.load_regions()
    loading.create_halls()
    loading.load_departments()
    calendar.load_years_from_package()
    calendar.invalidate()
    targets.load_seed_targets()  # a migration loads them; a flush removes them
    from govhall.accounts.services import legal

    legal.ensure_first_versions()  # likewise
    from govhall.baselib.services import definitions as baselib_definitions

    baselib_definitions.ensure()  # the base libraries' attribute catalogue (needs departments)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate once, then load regions, halls, departments and holidays once per run."""
    with django_db_blocker.unblock():
        _load_reference_data()
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file in shared memory, not an in-memory database.

    The browser tests' live server answers requests on threads while the test writes on
    its own. An in-memory database can only be reached through one connection, which
    pytest-django then hands to every request thread: two requests at once (a page's
    poll for new tasks beside another page loading) interleave their transactions on it
    and fail ("cannot open savepoint - SQL statements in progress", a lost session). A
    file gives every thread its own connection, as the hall runs in production: WAL
    lets readers go on and IMMEDIATE transactions with a busy timeout queue writers.
    ``/dev/shm`` (when it has room) keeps it as fast as memory; the process id keeps
    workers and runs apart.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        shm = "/dev/shm"  # a container's may be 64 MiB: then the temporary folder
        roomy = os.path.isdir(shm) and shutil.disk_usage(shm).free > 512 * 2**20
        folder = shm if roomy else tempfile.gettempdir()
        name = os.path.join(folder, f"govhall-test-{os.getpid()}.sqlite3")
        database.setdefault("TEST", {})["NAME"] = name


def _end_other_sessions():
    """Before the test database is dropped: end the sessions a live server's request
    threads still hold (a keep-alive client closes its socket only when collected, and
    the server's daemon thread keeps its connection until then) — PostgreSQL refuses to
    drop a database someone is connected to."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def reference_data(db):
    """For transactional tests (which flush tables): reload what a flush removed."""
    from govhall.regions.models import Region

    if not Region.objects.exists():
        _load_reference_data()


@pytest.fixture
def _reload_reference_data_afterwards(django_db_blocker):
    """Set up before ``transactional_db``, so this teardown runs after its flush."""
    yield
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture
def transactional_reference_data(_reload_reference_data_afterwards, transactional_db):
    """Reference data for live-server tests; restored after the flush that ends them,
    so the ordinary tests that follow in the same worker still find it."""
    from govhall.regions.models import Region

    if not Region.objects.exists():
        _load_reference_data()


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path_factory):
    """Each test's audit chain starts afresh (rolled back), so do its signed checkpoints."""
    settings.GOVHALL_AUDIT_CHECKPOINTS = (
        tmp_path_factory.mktemp("audit", numbered=True) / "checkpoints.jsonl"
    )


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Rate-limit counters (SMS per address, throttles) live in the cache; with the local
    memory cache of the tests, each test starts from zero as a fresh process would."""
    from django.conf import settings
    from django.core.cache import cache

    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    # So are the process's copies of published catalogue versions.
    from govhall.catalog.services import published

    published.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~1 s per hash on this machine; tests create
    many users. The production hashers stay listed, so existing hashes still verify."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
