"""The staff inbox: only my posts' tasks, its filters, its cost, the department tab and
bulk acceptance."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.cases.models import CaseState, CaseStep, StepState
from govhall.cases.services import handling
from govhall.cases.tests import factories as f
from govhall.regions.models import Post

from .staff_support import civil_affairs, clerk, reload, signed_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk")]

INBOX = "/workbench/cases/"


def open_step(case) -> CaseStep:
    return case.steps.get(state=StepState.OPEN)


def test_anonymous_is_sent_to_sign_in_and_a_user_without_posts_is_refused(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and response["Location"].startswith("/workbench/login/")
    signed_in(client, f.applicant().user)
    response = client.get(INBOX)
    assert response.status_code == 403
    assert "只有在岗的工作人员可以使用办件工作台。" in response.content.decode()


def test_inbox_lists_only_the_tasks_of_my_posts(client):
    dept = civil_affairs()
    mine = f.submitted(f.item(dept), f.applicant(name="林小英"))
    other_department = f.submitted(f.item(f.department("江门市教育局"), name="教师资格认定"))
    chaozhou = f.submitted(f.item(civil_affairs(f.CHAOZHOU), name="临时救助申请"))

    html = signed_in(client, clerk(dept)).get(INBOX).content.decode()
    assert mine.number in html
    assert other_department.number not in html and chaozhou.number not in html
    assert "林小英" in html and "城乡居民最低生活保障申请" in html and "江门市民政局" in html
    step = open_step(mine)
    assert step.name == "受理" and '<td data-label="环节">受理</td>' in html
    assert step.due_date.isoformat() in html
    assert f'href="/workbench/cases/{mine.number}/"' in html

    # A reviewer of the same department has no acceptance task.
    client.force_login(staff(Post.REVIEWER, dept))
    html = client.get(INBOX).content.decode()
    assert mine.number not in html and "没有符合条件的待办办件。" in html


def test_filters_and_search(client):
    dept = civil_affairs()
    user = clerk(dept)
    item = f.item(dept)
    overdue, due_soon, later, corrected = (f.submitted(item) for _ in range(4))
    handling.request_correction(
        corrected,
        user,
        items=[{"material_code": "N:申请书", "name": "申请书", "problem": "缺签名"}],
    )
    today = timezone.localdate()
    CaseStep.objects.filter(pk=open_step(overdue).pk).update(
        due_date=today - datetime.timedelta(days=14)
    )
    CaseStep.objects.filter(pk=open_step(due_soon).pk).update(due_date=today)
    signed_in(client, user)

    def listed(query: str) -> set[str]:
        html = client.get(INBOX + query).content.decode()
        numbers = {c.number for c in (overdue, due_soon, later, corrected)}
        return {n for n in numbers if n in html}

    assert listed("") == {overdue.number, due_soon.number, later.number, corrected.number}
    assert listed("?filter=overdue") == {overdue.number}
    assert listed("?filter=due_soon") == {due_soon.number}
    assert listed("?filter=suspended") == {corrected.number}
    assert listed(f"?q={later.number[-6:]}") == {later.number}
    html = client.get(INBOX + "?filter=overdue").content.decode()
    assert "已超期" in html and "个工作日" in html
    assert 'aria-current="page">已超期</a>' in html
    html = client.get(INBOX + "?filter=suspended").content.decode()
    assert "暂停计时" in html
    # Ordered by due date: the overdue one comes first.
    html = client.get(INBOX).content.decode()
    assert html.index(overdue.number) < html.index(due_soon.number) < html.index(later.number)


def test_an_inbox_page_costs_the_same_for_one_row_or_many(client):
    dept = civil_affairs()
    item = f.item(dept)
    user = clerk(dept)
    f.submitted(item)
    signed_in(client, user)
    client.get(INBOX)  # warm the session and the calendar snapshot

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INBOX).status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        f.submitted(item)
    assert count() == one


def test_department_tab_lists_every_case_of_my_department_with_a_state_filter(client):
    dept = civil_affairs()
    user, reviewer = clerk(dept), staff(Post.REVIEWER, dept)
    item = f.item(dept)
    waiting, accepted = f.submitted(item), f.submitted(item)
    handling.accept(accepted, user)
    chaozhou = f.submitted(f.item(civil_affairs(f.CHAOZHOU), name="临时救助申请"))

    html = signed_in(client, reviewer).get("/workbench/cases/all/").content.decode()
    assert waiting.number in html and accepted.number in html
    assert chaozhou.number not in html
    html = client.get("/workbench/cases/all/?state=in_progress").content.decode()
    assert accepted.number in html and waiting.number not in html
    assert "办理中" in html
    html = client.get(f"/workbench/cases/all/?q={waiting.number}").content.decode()
    assert waiting.number in html and accepted.number not in html


def test_bulk_accept_reports_each_case(client):
    dept = civil_affairs()
    user = clerk(dept)
    item = f.item(dept)
    first, second, done = f.submitted(item), f.submitted(item), f.submitted(item)
    handling.accept(done, user)
    chaozhou = f.submitted(f.item(civil_affairs(f.CHAOZHOU), name="临时救助申请"))

    html = signed_in(client, user).get(INBOX).content.decode()
    assert f'name="case" value="{first.number}"' in html
    assert f'name="case" value="{done.number}"' not in html  # at 承办, not acceptance
    assert "批量受理所选办件" in html

    response = client.post(
        "/workbench/cases/bulk-accept/",
        {"case": [first.number, second.number, done.number, chaozhou.number]},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert said[0] == "批量受理完成：成功2件，未成功2件。"
    assert f"办件{first.number}：已受理。" in said
    assert f"办件{second.number}：已受理。" in said
    assert any(m.startswith(f"办件{done.number}：未受理") and "办理中" in m for m in said)
    assert f"办件{chaozhou.number}：未找到或不在您的办理范围内。" in said
    assert reload(first).state == reload(second).state == CaseState.IN_PROGRESS
    assert reload(chaozhou).state == CaseState.SUBMITTED

    response = client.post("/workbench/cases/bulk-accept/", {}, follow=True)
    assert "请先勾选要受理的办件。" in [str(m) for m in response.context["messages"]]


# The rows as the page's template wrote them, cell by cell, before ``inbox_rows``.
REFERENCE_ROWS = """{% load i18n %}{% for row in rows %}
      <tr class="{% if row.paused %}row-paused{% elif row.remaining is not None and row.remaining < 0 %}row-overdue{% elif row.remaining is not None and row.remaining <= 1 %}row-due-soon{% endif %}">
        <td>{% if row.can_bulk_accept %}<input type="checkbox" name="case" value="{{ row.step.case_number }}" id="pick-{{ row.step.pk }}" aria-label="{% blocktranslate with n=row.step.case_number %}选择办件{{ n }}批量受理{% endblocktranslate %}">{% endif %}</td>
        <td data-label="{{ t_number }}"><a href="{% url 'workbench:case' row.step.case_number %}">{{ row.step.case_number }}</a></td>
        <td data-label="{{ t_item }}">{{ row.step.item_name }}</td>
        <td data-label="{{ t_applicant }}">{{ row.step.applicant_name }}</td>
        <td data-label="{{ t_step }}">{{ row.step.name }}</td>
        <td data-label="{{ t_department }}">{{ row.step.department_name }}</td>
        <td data-label="{{ t_due }}">{{ row.step.due_date|date:"Y-m-d"|default:"—" }}</td>
        <td data-label="{{ t_remaining }}">{% if row.paused %}{{ t_paused }}{% elif row.remaining is None %}—{% elif row.overdue_by %}{% blocktranslate with n=row.overdue_by %}已超期{{ n }}个工作日{% endblocktranslate %}{% else %}{{ row.remaining }}{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501


def test_inbox_rows_write_what_the_cell_by_cell_template_wrote():
    """``inbox_rows`` (one format string, the row's text made by the view) against the
    template it replaced, on every kind of row: overdue, due today, later, paused, no due
    date, a bulk-acceptable one, and text that must be escaped."""
    from django.template import engines

    from govhall.cases.views.staff import inbox

    dept = civil_affairs()
    item = f.item(dept, name="婚姻登记<script>&\"证明'")
    overdue, due_today, later, no_due = (
        f.submitted(item, f.applicant(name=f"林<b>{i}</b>")) for i in range(4)
    )
    corrected = f.submitted(item)
    handling.request_correction(
        corrected,
        clerk(dept),
        items=[{"material_code": "N:申请书", "name": "申请书", "problem": "缺签名"}],
    )
    accepted = f.submitted(item)
    handling.accept(accepted, clerk(dept))
    today = timezone.localdate()
    for case, due in (
        (overdue, today - datetime.timedelta(days=14)),
        (due_today, today),
        (later, today + datetime.timedelta(days=30)),
        (no_due, None),
    ):
        CaseStep.objects.filter(pk=open_step(case).pk).update(due_date=due)
    steps = list(inbox.listed(CaseStep.objects.filter(state=StepState.OPEN, case__item=item)))
    assert {s.case_state for s in steps} >= {CaseState.SUBMITTED, CaseState.AWAITING_CORRECTION}
    left = inbox.remaining_by_date(
        (s.due_date for s in steps if s.case_state not in inbox.PAUSED), today
    )
    rows = inbox._rows(steps, left)
    assert {r.css for r in rows} >= {"row-overdue", "row-due-soon", "row-paused", ""}
    assert any(r.can_bulk_accept for r in rows) and not all(r.can_bulk_accept for r in rows)
    labels = {
        "t_number": "办件编号",
        "t_item": "事项",
        "t_applicant": "申请人",
        "t_step": "环节",
        "t_department": "办理部门",
        "t_due": "到期日",
        "t_remaining": "剩余工作日",
        "t_paused": "暂停计时",
    }
    django_engine = engines["django"]
    expected = django_engine.from_string(REFERENCE_ROWS).render({"rows": rows, **labels})
    written = django_engine.from_string(
        "{% load case_inbox %}{% inbox_rows rows t_number t_item t_applicant t_step "
        "t_department t_due t_remaining %}"
    ).render({"rows": rows, **labels})
    assert written == expected
    assert "&lt;script&gt;&amp;&quot;证明&#x27;" in written and "<b>" not in written
