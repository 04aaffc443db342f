"""The operations page: hall administrators see jobs, runs, figures and alerts, and can
ask for a run now (audited); other staff get a 403."""

import pytest
from django.utils import timezone

from govhall.core.models import AuditEntry
from govhall.operations.models import JobRun, JobState, SchedulerInstance
from govhall.regions.models import Post
from tests.factories import StaffPostFactory

URL = "/workbench/operations/"


@pytest.fixture
def hall_admin(client):
    post = StaffPostFactory(post=Post.HALL_ADMIN)
    client.force_login(post.user)
    return post.user


@pytest.mark.django_db
def test_a_clerk_may_not_see_operations(client):
    client.force_login(StaffPostFactory(post=Post.CLERK).user)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_the_page_lists_jobs_runs_figures_and_alerts(client, hall_admin):
    now = timezone.now()
    JobState.objects.create(
        name="deliver_outbox", slot=now, next_run_at=now, failures=3, last_outcome="failed"
    )
    JobRun.objects.create(
        job="deliver_outbox",
        slot=now,
        attempt=1,
        instance="host:1:aa",
        started_at=now,
        finished_at=now,
        outcome="failed",
        error="Traceback…\nConnectionRefusedError: 111",
    )
    JobRun.objects.create(
        job="scan_deadlines",
        slot=now,
        attempt=1,
        instance="host:1:aa",
        started_at=now,
        finished_at=now,
        outcome="ok",
        summary={"reminded": 4},
    )
    html = client.get(URL).content.decode()
    assert "没有正在运行的调度进程" in html  # no heartbeat yet
    assert "定时任务“deliver_outbox”连续失败3次" in html
    assert "reminded=4" in html and "ConnectionRefusedError" in html
    for name in ("scan_deadlines", "deliver_outbox", "refresh_indicators", "expire_licences"):
        assert f'id="job-{name}"' in html
    failed_only = client.get(URL, {"failed": "1"}).content.decode()
    assert "reminded=4" not in failed_only and "ConnectionRefusedError" in failed_only

    SchedulerInstance.objects.create(
        instance="host:1:aa", host="host", pid=1, started_at=now, beat_at=now
    )
    JobState.objects.filter(name="deliver_outbox").update(failures=0)
    assert 'id="no-alerts"' in client.get(URL).content.decode()


@pytest.mark.django_db
def test_run_now_makes_the_job_due_and_is_audited(client, hall_admin):
    later = timezone.now() + timezone.timedelta(hours=1)
    JobState.objects.create(name="refresh_indicators", slot=later, next_run_at=later)
    response = client.post(f"{URL}jobs/refresh_indicators/run/")
    assert response.status_code == 302
    state = JobState.objects.get(name="refresh_indicators")
    assert state.next_run_at <= timezone.now()
    assert state.run_requested_by == hall_admin.username
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.object_id == "refresh_indicators" and entry.reason == "立即运行定时任务"
    assert client.post(f"{URL}jobs/no_such_job/run/").status_code == 404
