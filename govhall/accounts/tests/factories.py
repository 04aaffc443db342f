"""Factories for identity tests: persons with valid ID numbers, companies, grants."""

import datetime

import factory
from django.utils import timezone

from govhall.accounts.models import AgentGrant, Company, Person, RealNameLevel
from govhall.core.identifiers import make_credit_code, make_id_number
from tests.factories import DEFAULT_PASSWORD, UserFactory  # noqa: F401

BASE_BIRTH = datetime.date(1970, 1, 1)


def id_number_for(n: int, address: str = "440703") -> str:
    return make_id_number(address, BASE_BIRTH + datetime.timedelta(days=n // 900), n % 900 + 100)


def credit_code_for(n: int) -> str:
    return make_credit_code("91", "440703", f"{n:08d}")


class PersonUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"gh{n:010d}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    mobile_verified_at = factory.LazyFunction(timezone.now)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    user = factory.SubFactory(PersonUserFactory)
    id_number = factory.Sequence(id_number_for)
    name = factory.Sequence(lambda n: f"测试{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{n}")
    realname_level = RealNameLevel.SELF_REGISTERED

    class Params:
        verified = factory.Trait(realname_level=RealNameLevel.ONLINE_VERIFIED)

    @factory.post_generation
    def accepted_legal(obj, create, extracted, **kwargs):
        """A registered person has ticked the 用户服务协议 and 个人信息保护说明 in force;
        ``PersonFactory(accepted_legal=False)`` for one who has not (yet)."""
        if create and extracted is not False:
            from govhall.accounts.models import LegalAcceptance
            from govhall.accounts.services import legal

            for document_id in legal.current_ids().values():
                LegalAcceptance.objects.get_or_create(
                    user=obj.user, document_id=document_id, defaults={"how": "registration"}
                )


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    credit_code = factory.Sequence(credit_code_for)
    name = factory.Sequence(lambda n: f"江门测试实业有限公司{n}")
    legal_representative = factory.SubFactory(PersonFactory, verified=True)
    registered_by = factory.LazyAttribute(lambda o: o.legal_representative.user)


class AgentGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentGrant

    company = factory.SubFactory(CompanyFactory)
    agent = factory.SubFactory(PersonFactory)
    powers = factory.LazyFunction(lambda: ["apply", "view_cases"])
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    granted_by = factory.LazyAttribute(lambda o: o.company.legal_representative.user)
