"""factory_boy factories shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model

from govhall.regions.models import Department, Post, Region, StaffPost
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

    user = factory.SubFactory(UserFactory)
    department = factory.LazyFunction(
        lambda: Department.objects.get(region_id="440700", name="江门市行政服务中心")
    )
    post = Post.CLERK
