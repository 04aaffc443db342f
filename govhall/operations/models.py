"""The scheduler's state: one claimable row per job, a record of every run, and the
heartbeat of every scheduler process (docs/adr/0010-scheduler-claims-jobs-by-lease.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    RUNNING = "running", _("运行中")
    OK = "ok", _("成功")
    FAILED = "failed", _("失败")
    LOST = "lost", _("中断")  # its scheduler died mid-run; the lease expired


class JobState(models.Model):
    """The claim on a job. A scheduler runs a job only after one conditional UPDATE
    (``next_run_at`` due and no live lease) changed this row for it; every other
    instance's UPDATE then matches nothing, on SQLite and PostgreSQL alike."""

    name = models.CharField(_("任务"), max_length=80, primary_key=True)
    slot = models.DateTimeField(_("计划时间"), help_text=_("本次运行对应的计划时间"))
    next_run_at = models.DateTimeField(_("下次运行"), db_index=True)
    attempt = models.PositiveSmallIntegerField(_("本计划已尝试次数"), default=0)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    lease_owner = models.CharField(_("执行实例"), max_length=120, blank=True)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_outcome = models.CharField(
        _("最近结果"), max_length=10, choices=Outcome.choices, blank=True
    )
    last_success_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    run_requested_by = models.CharField(_("立即运行申请人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    job = models.CharField(_("任务"), max_length=80)
    slot = models.DateTimeField(_("计划时间"))
    attempt = models.PositiveSmallIntegerField(_("第几次尝试"), default=1)
    instance = models.CharField(_("执行实例"), max_length=120)
    started_at = models.DateTimeField(_("开始"))
    finished_at = models.DateTimeField(_("结束"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        constraints = [
            # A slot's attempt is run once, whatever the number of schedulers (the claim
            # guarantees it; the constraint would refuse a second record if it did not).
            models.UniqueConstraint(fields=["job", "slot", "attempt"], name="jobrun_once")
        ]
        indexes = [
            models.Index(fields=["-started_at"], name="jobrun_recent"),
            models.Index(fields=["job", "-started_at"], name="jobrun_job_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.slot:%Y-%m-%d %H:%M:%S} #{self.attempt}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SchedulerInstance(models.Model):
    """A running (or stopped) ``manage.py run_scheduler``: readiness reads its heartbeat."""

    instance = models.CharField(_("实例"), max_length=120, primary_key=True)
    host = models.CharField(_("主机"), max_length=100)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"), db_index=True)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)
    claims_won = models.PositiveIntegerField(_("抢到的运行"), default=0)
    claims_lost = models.PositiveIntegerField(_("被其他实例抢先"), default=0)

    class Meta:
        verbose_name = _("调度进程")
        verbose_name_plural = _("调度进程")

    def __str__(self) -> str:
        return self.instance
