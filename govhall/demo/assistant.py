"""Demo data of the knowledge base and online consultation (idempotent).

General answers of the province, Jiangmen and 蓬江区 halls and a department's standard
answer go through the 问答库 workflow as the system; the clauses of every published
guide are built; one consultation waits in 蓬江区民政局's queue for ``pj_clerk``.
"""

from __future__ import annotations

from django.db import transaction

from govhall.assistant.models import Consultation, KnowledgeEntry
from govhall.assistant.services import answering, clauses, consultation, knowledge
from govhall.regions.models import Department, Region

# (region, department name or None, question, other phrasings, answer)
ENTRIES = [
    (
        "440000",
        None,
        "网上办事大厅怎么注册账号",
        "怎么注册\n个人账号怎么开通\n企业账号怎么注册",
        "点击页面右上角“注册”，用手机号码接收验证码完成注册；实名认证后即可在线申办。"
        "企业由法定代表人注册后在“企业账号”中添加经办人。",
    ),
    (
        "440000",
        None,
        "登录密码忘记了怎么办",
        "忘记密码\n密码找回\n账号登不上",
        "在登录页点击“忘记密码”，通过注册手机号码接收验证码后重新设置密码。",
    ),
    (
        "440000",
        None,
        "可以委托别人代办吗",
        "别人能帮我办吗\n代办要什么手续",
        "除办事指南注明须本人到场的事项外，可以委托他人代办；"
        "代办人须携带本人身份证件和委托书，具体以各事项办事指南的申请材料为准。",
    ),
    (
        "440700",
        None,
        "江门市行政服务中心几点上班",
        "市政务服务中心开放时间\n大厅周末开门吗\n办事大厅工作时间",
        "江门市行政服务中心办公时间为周一至周五上午8:30-12:00、下午14:30-17:30，"
        "法定节假日除外；部分事项可在网上办事大厅全天候申办。",
    ),
    (
        "440703",
        None,
        "蓬江区政务服务中心在哪里",
        "蓬江区办事大厅地址\n区政务中心怎么去",
        "蓬江区政务服务中心位于蓬江区政务服务大楼一楼，各部门综合窗口集中办理；"
        "具体事项的办理地点以办事指南为准。",
    ),
    (
        "440703",
        "蓬江区民政局",
        "低保申请被拒绝了还能再申请吗",
        "低保没批下来怎么办\n低保不通过可以重新申请吗",
        "可以。家庭收入、财产或人口状况发生变化后，可以重新提出最低生活保障申请；"
        "对不予批准的决定有异议的，可以依法申请行政复议或者提起行政诉讼。",
    ),
]


def load(password: str) -> str:
    built = clauses.reindex_all()
    created = 0
    with transaction.atomic():
        for region_code, department_name, question, phrasings, answer in ENTRIES:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                continue
            department = None
            if department_name:
                department = Department.objects.filter(region=region, name=department_name).first()
                if department is None:
                    continue
            if KnowledgeEntry.objects.filter(
                region=region, department=department, question=question
            ).exists():
                continue
            entry = knowledge.save_draft(
                None,
                region=region,
                department=department,
                question=question,
                answer=answer,
                phrasings=phrasings,
            )
            knowledge.submit(entry, None)
            knowledge.review(entry, None, approve=True, comment="演示数据")
            created += 1
    waiting = 0
    department = Department.objects.filter(region_id="440703", name="蓬江区民政局").first()
    if department and not Consultation.objects.filter(department=department).exists():
        asked = answering.ask("在蓬江区申请低保要什么材料", region="440703")
        consultation.hand_over(
            conversation=asked.conversation, question="低保申请人户口不在蓬江区能申请吗"
        )
        waiting = 1
    return (
        f"知识库：指南条款新建{built}条，标准答案新建{created}条；"
        f"在线咨询演示{waiting}条（pj_clerk 登录工作台“在线咨询”接入）。"
    )
