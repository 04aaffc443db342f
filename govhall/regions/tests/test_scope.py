"""``scope_of(user)``: what each kind of staff user may see and act on."""

import pytest
from django.contrib.auth.models import AnonymousUser

from govhall.regions.models import Department, Post, Region, StaffPost
from govhall.regions.services.scope import HeldPost, scope_of
from tests.factories import StaffPostFactory, UserFactory

pytestmark = pytest.mark.django_db


def department(region: str, name: str) -> Department:
    return Department.objects.get(region_id=region, name=name)


@pytest.fixture
def civil_affairs():
    return department("440700", "江门市民政局")


@pytest.fixture
def service_centre():
    return department("440700", "江门市行政服务中心")


def test_anonymous_user_has_an_empty_scope():
    scope = scope_of(AnonymousUser())
    assert not scope.is_staff_member
    assert scope.departments().count() == 0
    assert not scope.covers_region_code("440700")


def test_clerk_covers_only_their_own_department(civil_affairs, service_centre):
    post = StaffPostFactory(department=service_centre, post=Post.CLERK)
    scope = scope_of(post.user)
    assert scope.is_staff_member
    assert scope.has_post(Post.CLERK) and scope.has_post(Post.CLERK, service_centre)
    assert not scope.has_post(Post.CLERK, civil_affairs)
    assert not scope.has_post(Post.REVIEWER)
    assert list(scope.departments()) == [service_centre]
    assert scope.covers_department(service_centre)
    assert not scope.covers_department(civil_affairs)
    # A clerk reaches no region below the city: the region list is their department's only.
    assert list(scope.regions().values_list("code", flat=True)) == ["440700"]
    assert not scope.covers_region_code("440703")
    assert scope.region_prefixes == frozenset()


@pytest.mark.parametrize("post", [Post.SUPERVISOR, Post.HALL_ADMIN])
def test_supervisor_and_hall_admin_cover_the_region_subtree(post, civil_affairs):
    holder = StaffPostFactory(department=department("440700", "江门市监察局"), post=post).user
    scope = scope_of(holder)
    assert scope.region_prefixes == frozenset({"4407"})
    assert scope.covers_department(civil_affairs)
    assert scope.covers_department(department("440703", "蓬江区民政局"))
    town = Department.objects.filter(region__code__startswith="440781", region__level="town")[0]
    assert scope.covers_department(town)
    assert not scope.covers_department(department("445100", "潮州市民政局"))
    assert not scope.covers_department(department("440000", "广东省民政厅"))
    assert (
        scope.departments().count()
        == Department.objects.filter(region__code__startswith="4407").count()
    )
    assert scope.regions().count() == Region.objects.filter(code__startswith="4407").count()
    assert scope.covers_region_code("440781101001")
    assert not scope.covers_region_code("445102")


def test_county_hall_admin_does_not_reach_the_city_or_sibling_counties():
    holder = StaffPostFactory(
        department=department("440781", "台山市政务服务中心"), post=Post.HALL_ADMIN
    ).user
    scope = scope_of(holder)
    assert scope.region_prefixes == frozenset({"440781"})
    assert not scope.covers_department(department("440700", "江门市民政局"))
    assert not scope.covers_department(department("440783", "开平市民政局"))
    assert set(scope.regions().values_list("level", flat=True)) == {"county", "town", "village"}


def test_posts_in_two_departments_add_up(civil_affairs):
    user = UserFactory()
    chaozhou = department("445100", "潮州市民政局")
    StaffPostFactory(user=user, department=civil_affairs, post=Post.REVIEWER)
    StaffPostFactory(user=user, department=chaozhou, post=Post.APPROVER)
    scope = scope_of(user)
    assert scope.department_ids == {civil_affairs.pk, chaozhou.pk}
    assert set(scope.departments()) == {civil_affairs, chaozhou}
    assert scope.has_post(Post.REVIEWER, civil_affairs)
    assert not scope.has_post(Post.REVIEWER, chaozhou)
    assert scope.has_post(Post.APPROVER, chaozhou)
    assert set(scope.regions().values_list("code", flat=True)) == {"440700", "445100"}


def test_hall_admin_reach_is_separate_from_other_region_wide_posts():
    user = UserFactory()
    StaffPostFactory(
        user=user, department=department("440700", "江门市监察局"), post=Post.SUPERVISOR
    )
    StaffPostFactory(
        user=user, department=department("445100", "潮州市政务服务中心"), post=Post.HALL_ADMIN
    )
    scope = scope_of(user)
    assert scope.region_prefixes == {"4407", "4451"}
    assert scope.prefixes_of(Post.HALL_ADMIN) == {"4451"}
    assert scope.prefixes_of(Post.SUPERVISOR) == {"4407"}


def test_inactive_posts_and_inactive_departments_are_ignored(civil_affairs, service_centre):
    user = UserFactory()
    StaffPostFactory(user=user, department=service_centre, post=Post.HALL_ADMIN, is_active=False)
    StaffPostFactory(user=user, department=civil_affairs, post=Post.CLERK)
    closed = department("440700", "江门市监察局")
    StaffPostFactory(user=user, department=closed, post=Post.SUPERVISOR)
    closed.is_active = False
    closed.save()
    scope = scope_of(user)
    assert scope.posts == (HeldPost(Post.CLERK, civil_affairs.pk, "440700", "4407"),)
    assert scope.posts[0].department_id == civil_affairs.pk
    assert scope.region_prefixes == frozenset()
    assert not scope.covers_department(service_centre)
    assert not scope.has_post(Post.HALL_ADMIN)


def test_user_without_posts_is_not_a_staff_member():
    scope = scope_of(UserFactory())
    assert not scope.is_staff_member
    assert scope.departments().count() == 0
    assert scope.regions().count() == 0


def test_superuser_sees_everything():
    admin = UserFactory(is_superuser=True, is_staff=True)
    scope = scope_of(admin)
    assert scope.is_staff_member and scope.is_superuser
    assert scope.departments().count() == Department.objects.count()
    assert scope.regions().count() == Region.objects.count()
    assert scope.covers_department(department("445100", "潮州市民政局"))
    assert scope.has_post(Post.APPROVER)


def test_scope_is_computed_once_per_user_object(django_assert_num_queries, civil_affairs):
    post = StaffPostFactory(department=civil_affairs, post=Post.REVIEWER)
    user = post.user
    with django_assert_num_queries(1):
        scope_of(user)
        scope_of(user)
    assert StaffPost.objects.filter(user=user).count() == 1
