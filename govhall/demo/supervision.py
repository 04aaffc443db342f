"""Demo data of efficiency supervision: the warning rules run over every record already
loaded (the demo cases, the branch hall's pushes and the generated history), the time
scan, and a few complaints of a demo citizen in 江门 — one answered and rated, one still
being handled. Idempotent: the detection keeps its own watermark and raises a card once;
the complaints are made only when the demo citizen has none."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from govhall.core import context
from govhall.regions.models import Department

COMPLAINTS = (
    {
        "subject": "department",
        "region": "440700",
        "department_name": "江门市民政局",
        "content": "咨询低保政策时电话多次无人接听，希望改进。",
        "answer": "已增设咨询专线并安排专人值守，感谢监督。",
        "rating": 2,
    },
    {
        "subject": "hall",
        "region": "440703",
        "content": "蓬江区政务服务中心取号机经常故障，排队等待时间过长。",
    },
)


def load(password: str) -> str:
    from govhall.supervision.models import Card, Complaint, RatingFollowUp, Warning
    from govhall.supervision.services import complaints, detection, followups

    read = detection.watch()
    detection.scan()
    complaints.raise_overdue()
    followups.raise_overdue()
    made = 0
    citizen = get_user_model().objects.filter(username="demo_citizen").first()
    if citizen is not None and not Complaint.objects.filter(user=citizen).exists():
        with context.acting(user_id=citizen.pk, label=citizen.get_username()):
            for spec in COMPLAINTS:
                data = {
                    "subject": spec["subject"],
                    "region": spec["region"],
                    "content": spec["content"],
                }
                if spec["subject"] == "department":
                    department = Department.objects.get(
                        region_id=spec["region"], name=spec["department_name"]
                    )
                    data["department"] = department.credit_code
                complaint, _ = complaints.file(data, user=citizen)
                made += 1
                if spec.get("answer"):
                    answerer = get_user_model().objects.filter(username="jm_mz_clerk").first()
                    if answerer is not None:
                        complaints.answer(answerer, complaint, spec["answer"])
                        complaints.rate(complaint, spec["rating"])
    cards = Warning.objects.aggregate(
        yellow=Count("pk", filter=Q(card=Card.YELLOW)), red=Count("pk", filter=Q(card=Card.RED))
    )
    return (
        f"效能监督：检查过程信息{read}条，预警黄牌{cards['yellow']}张、红牌{cards['red']}张，"
        f"差评回访{RatingFollowUp.objects.count()}条，演示投诉新建{made}件"
        "（jm_supervisor 登录 /workbench/supervision/ 查看；"
        "公开栏目 /supervision/?region=440700）。"
    )
