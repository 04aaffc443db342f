"""The scheduler in one process: schedules, the claim, retries with backoff, alerts,
runs taken over from a dead instance, and the registry every app fills."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from govhall.operations import registry
from govhall.operations.models import JobRun, JobState, Outcome, SchedulerInstance
from govhall.operations.services import scheduler

UTC = datetime.UTC


def test_every_slots_are_aligned_so_all_instances_agree():
    quarter = registry.Every(datetime.timedelta(minutes=15))
    moment = datetime.datetime(2026, 12, 7, 9, 7, 31, tzinfo=UTC)
    assert quarter.next_after(moment) == datetime.datetime(2026, 12, 7, 9, 15, tzinfo=UTC)
    on_slot = datetime.datetime(2026, 12, 7, 9, 15, tzinfo=UTC)
    assert quarter.next_after(on_slot) == datetime.datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert str(quarter) == "每15分钟"


def test_cron_runs_in_the_halls_time_zone():
    daily = registry.Cron("10 0 * * *")
    shanghai = ZoneInfo("Asia/Shanghai")
    moment = datetime.datetime(2026, 12, 7, 0, 40, tzinfo=shanghai)
    assert daily.next_after(moment) == datetime.datetime(2026, 12, 8, 0, 10, tzinfo=shanghai)
    with pytest.raises(ValueError, match="cron"):
        registry.Cron("61 * * * *")


def test_every_app_registers_its_jobs_in_its_own_jobs_module():
    jobs = registry.jobs()
    assert {"scan_deadlines", "deliver_outbox", "refresh_indicators", "expire_licences"} <= set(
        jobs
    )
    assert jobs["scan_deadlines"].func.__module__ == "govhall.cases.jobs"
    assert str(jobs["scan_deadlines"].schedule) == "每15分钟"
    with pytest.raises(ValueError, match="exactly one"):
        registry.job("both", every=datetime.timedelta(minutes=1), cron="* * * * *")


@pytest.fixture
def temporary_job():
    """Register a job for one test and forget it afterwards."""
    names = []

    def declare(name, func, **options):
        options.setdefault("every", datetime.timedelta(minutes=10))
        registry.job(name, **options)(func)
        names.append(name)
        return registry.get(name)

    yield declare
    for name in names:
        registry._jobs.pop(name, None)


@pytest.mark.django_db
def test_a_due_slot_is_claimed_by_one_instance_only(temporary_job):
    temporary_job("claimed", lambda: None)
    scheduler.sync_jobs(["claimed"])
    first = scheduler.claim("claimed", "a")
    assert first is not None and first.lease_owner == "a" and first.attempt == 1
    assert scheduler.claim("claimed", "b") is None


@pytest.mark.django_db
def test_a_run_is_recorded_and_the_next_slot_planned(temporary_job):
    job = temporary_job("counted", lambda: {"reminded": 3})
    runner = scheduler.Scheduler(names=["counted"])
    runner.start()
    try:
        (run,) = runner.tick()
    finally:
        runner.close()
    assert run.outcome == Outcome.OK and run.summary == {"reminded": 3}
    assert run.finished_at >= run.started_at
    state = JobState.objects.get(name="counted")
    assert state.next_run_at == job.schedule.next_after(run.finished_at)
    assert state.lease_owner == "" and state.attempt == 0 and state.failures == 0
    assert runner.tick() == []  # not due again before its slot
    instance = SchedulerInstance.objects.get(instance=runner.instance)
    assert instance.claims_won == 1 and instance.stopped_at is not None


@pytest.mark.django_db
def test_a_crashing_job_is_retried_with_backoff_and_alerted(temporary_job, settings):
    settings.ADMINS = [("运维", "ops@example.org")]
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("parent hall unreachable")
        return 7

    temporary_job(
        "flaky",
        flaky,
        every=datetime.timedelta(hours=1),
        retries=3,
        backoff=datetime.timedelta(seconds=10),
    )
    runner = scheduler.Scheduler(names=["flaky"])
    runner.start()
    try:
        (first,) = runner.tick()
        state = JobState.objects.get(name="flaky")
        assert first.outcome == Outcome.FAILED and "parent hall unreachable" in first.error
        assert state.failures == 1 and state.attempt == 1
        delay = (state.next_run_at - first.finished_at).total_seconds()
        assert 9.9 < delay < 10.1
        assert len(mail.outbox) == 1 and "flaky" in mail.outbox[0].subject

        JobState.objects.filter(name="flaky").update(next_run_at=timezone.now())
        (second,) = runner.tick()
        state = JobState.objects.get(name="flaky")
        assert second.attempt == 2 and second.slot == first.slot
        delay = (state.next_run_at - second.finished_at).total_seconds()
        assert 19.9 < delay < 20.1  # doubled
        assert len(mail.outbox) == 1  # one mail per streak, not per retry

        JobState.objects.filter(name="flaky").update(next_run_at=timezone.now())
        (third,) = runner.tick()
    finally:
        runner.close()
    state = JobState.objects.get(name="flaky")
    assert third.outcome == Outcome.OK and third.summary == {"count": 7}
    assert state.failures == 0 and state.attempt == 0 and state.slot > first.slot


@pytest.mark.django_db
def test_retries_stop_at_the_limit_and_the_slot_moves_on(temporary_job, settings):
    settings.ADMINS = [("运维", "ops@example.org")]

    def broken():
        raise ValueError("bad data")

    job = temporary_job("broken", broken, retries=1, backoff=datetime.timedelta(seconds=1))
    runner = scheduler.Scheduler(names=["broken"])
    runner.start()
    try:
        (first,) = runner.tick()
        assert first.outcome == Outcome.FAILED and first.attempt == 1
        JobState.objects.filter(name="broken").update(next_run_at=timezone.now())
        (second,) = runner.tick()
    finally:
        runner.close()
    state = JobState.objects.get(name="broken")
    assert second.outcome == Outcome.FAILED and second.attempt == 2
    assert state.attempt == 0 and state.failures == 2
    assert state.next_run_at == job.schedule.next_after(second.finished_at)
    assert len(mail.outbox) == 2  # the first failure, and giving up
    assert "重试已用完" in mail.outbox[1].body


@pytest.mark.django_db
def test_a_dead_instances_run_is_taken_over_after_its_lease(temporary_job):
    temporary_job("orphan", lambda: "done")
    scheduler.sync_jobs(["orphan"])
    dead = scheduler.claim("orphan", "dead-instance")
    JobRun.objects.create(
        job="orphan",
        slot=dead.slot,
        attempt=dead.attempt,
        instance="dead-instance",
        started_at=timezone.now(),
    )
    runner = scheduler.Scheduler(names=["orphan"])
    runner.start()
    try:
        assert runner.tick() == []  # the lease is still live
        JobState.objects.filter(name="orphan").update(
            lease_until=timezone.now() - datetime.timedelta(seconds=1)
        )
        (run,) = runner.tick()
    finally:
        runner.close()
    assert run.attempt == 2 and run.slot == dead.slot and run.outcome == Outcome.OK
    lost = JobRun.objects.get(job="orphan", attempt=1)
    assert lost.outcome == Outcome.LOST and lost.finished_at is not None


@pytest.mark.django_db
def test_the_heartbeat_renews_the_leases_of_running_jobs(temporary_job):
    temporary_job("long", lambda: None)
    runner = scheduler.Scheduler(names=["long"])
    runner.start()
    try:
        scheduler.claim("long", runner.instance)
        JobState.objects.filter(name="long").update(lease_until=timezone.now())
        runner.beat()
        state = JobState.objects.get(name="long")
        assert (state.lease_until - timezone.now()).total_seconds() > 50
        assert scheduler.heartbeat_age() < 5
    finally:
        runner.close()
    assert scheduler.heartbeat_age() is None  # stopped instances do not count


@pytest.mark.django_db
def test_run_scheduler_once_runs_the_due_jobs(temporary_job):
    from io import StringIO

    from django.core.management import call_command

    temporary_job("once", lambda: 5)
    out = StringIO()
    call_command("run_scheduler", "--once", "--job", "once", stdout=out)
    assert "once: 成功 {'count': 5}" in out.getvalue()
    assert JobRun.objects.filter(job="once", outcome=Outcome.OK).count() == 1


@pytest.mark.django_db
def test_old_run_records_are_pruned():
    old = timezone.now() - datetime.timedelta(days=91)
    JobRun.objects.create(
        job="x", slot=old, instance="i", started_at=old, finished_at=old, outcome=Outcome.OK
    )
    JobRun.objects.create(job="x", slot=timezone.now(), instance="i", started_at=timezone.now())
    SchedulerInstance.objects.create(
        instance="gone", host="h", pid=1, started_at=old, beat_at=old, stopped_at=old
    )
    assert scheduler.prune(runs_days=90, instances_days=7) == {"runs": 1, "instances": 1}
    assert JobRun.objects.count() == 1
    assert "prune_job_runs" in registry.jobs()
