"""The process records and their outbox, moved here from ``cases`` (step 2 of 3).

``cases.0006`` renamed the tables to this app's names; this migration only declares the
models (no database operation: the rows, indexes and the PostgreSQL column statistics of
``cases.0004`` stay as they are) and moves their content types, so existing permissions
follow the models. ``cases.0007`` then drops them from the cases app's state.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

MODELS = ["processrecord", "outboxmessage"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="cases", model__in=MODELS).update(app_label="records")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="records", model__in=MODELS).update(app_label="cases")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0006_record_tables_renamed"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProcessRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "record_id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                unique=True,
                                verbose_name="记录标识",
                            ),
                        ),
                        ("case_number", models.CharField(max_length=40, verbose_name="办件编号")),
                        (
                            "implementation_code",
                            models.CharField(max_length=32, verbose_name="实施编码"),
                        ),
                        (
                            "message_type",
                            models.CharField(
                                choices=[
                                    ("0", "申办"),
                                    ("1", "预受理"),
                                    ("2", "受理"),
                                    ("3", "审批"),
                                    ("4", "办结"),
                                    ("5", "特别程序申请"),
                                    ("6", "特别程序结果"),
                                    ("7", "补正告知"),
                                    ("8", "补正受理"),
                                    ("9", "领取登记"),
                                    ("R", "评价"),
                                ],
                                max_length=1,
                                verbose_name="信息类型",
                            ),
                        ),
                        ("event", models.CharField(max_length=30, verbose_name="事件")),
                        (
                            "occurred_at",
                            models.DateTimeField(db_index=True, verbose_name="发生时间"),
                        ),
                        ("region_code", models.CharField(max_length=12, verbose_name="区划代码")),
                        (
                            "department_code",
                            models.CharField(max_length=18, verbose_name="部门统一社会信用代码"),
                        ),
                        (
                            "case_type",
                            models.CharField(blank=True, max_length=1, verbose_name="办件类型"),
                        ),
                        (
                            "channel",
                            models.CharField(blank=True, max_length=12, verbose_name="申办渠道"),
                        ),
                        (
                            "visits",
                            models.PositiveSmallIntegerField(default=0, verbose_name="到现场次数"),
                        ),
                        (
                            "source",
                            models.CharField(default="local", max_length=60, verbose_name="来源"),
                        ),
                        ("payload", models.JSONField(verbose_name="内容")),
                        (
                            "received_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="入库时间"),
                        ),
                    ],
                    options={
                        "verbose_name": "办件过程信息",
                        "verbose_name_plural": "办件过程信息",
                        "ordering": ["occurred_at", "pk"],
                        "indexes": [
                            models.Index(fields=["case_number"], name="record_case_number"),
                            models.Index(
                                fields=["region_code", "occurred_at"], name="record_region_time"
                            ),
                            models.Index(
                                condition=models.Q(("event", "conclude")),
                                fields=["occurred_at"],
                                include=("case_number", "implementation_code", "region_code"),
                                name="record_conclusions",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "delivered_at",
                            models.DateTimeField(blank=True, db_index=True, null=True),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("rejected_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "record",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="outbox",
                                to="records.processrecord",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "发件箱",
                        "verbose_name_plural": "发件箱",
                        "indexes": [
                            models.Index(
                                fields=["delivered_at", "next_attempt_at"], name="outbox_pending"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
