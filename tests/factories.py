"""factory_boy factories shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model

from govhall.regions.models import Department, Post, Region, StaffAccount, StaffPost
from govhall.regions.services.loading import credit_code_for

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    region = factory.LazyFunction(lambda: Region.objects.get(code="440700"))
    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    credit_code = factory.LazyAttribute(lambda o: credit_code_for(o.region, o.name))


class StaffPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffPost
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    department = factory.LazyFunction(
        lambda: Department.objects.get(region_id="440700", name="江门市行政服务中心")
    )
    post = Post.CLERK

    @factory.post_generation
    def _account(obj, create, extracted, **kwargs):
        """A post holder's account is a staff account of the post's region."""
        if create:
            StaffAccount.objects.get_or_create(
                user=obj.user, defaults={"region_id": obj.department.region_id}
            )


def staff_account(user, region: str = "440700"):
    """Register ``user`` as a staff account of ``region`` (what a system administrator
    does); returns the user."""
    StaffAccount.objects.get_or_create(user=user, defaults={"region_id": region})
    return user


def bearer_header(user, scope: str = "openid profile", company=None) -> dict:
    """``Authorization: Bearer …`` for ``user``: an access token of a registered client,
    acting for ``company`` when given (as if chosen at authorisation)."""
    import datetime
    import secrets

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model

    from govhall.accounts.models import AuthorizationContext
    from govhall.accounts.services import clients

    registered = clients.register_client(name="测试客户端", redirect_uris=["https://a.example/cb"])
    token = get_access_token_model().objects.create(
        user=user,
        application=registered.application,
        scope=scope,
        expires=timezone.now() + datetime.timedelta(hours=1),
        token=secrets.token_urlsafe(24),
    )
    if company is not None:
        AuthorizationContext.objects.create(access_token=token, company=company)
    return {"HTTP_AUTHORIZATION": f"Bearer {token.token}"}
