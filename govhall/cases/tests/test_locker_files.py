"""``applications.locker_files``: the one-call application's locker read, compiled once
(``core.prepared.Prepared`` with whole-number and UUID arguments), is the queryset's."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.accounts.services.acting import Identity
from govhall.cases.services import applications
from govhall.core.prepared import Prepared

from .factories import applicant, company_agent, pdf

pytestmark = pytest.mark.django_db


def store(identity, title: str):
    return applications.store_file(identity.user, pdf(title), title=title, company=identity.company)


def by_queryset(identity, ids) -> dict:
    return {f.public_id: f for f in applications.locker_of(identity).filter(public_id__in=ids)}


def columns(files: dict) -> dict:
    return {
        key: {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
        for key, row in files.items()
    }


@pytest.mark.parametrize("who", [applicant, company_agent])
def test_the_locker_files_are_the_querysets(who):
    identity = who()
    own = [store(identity, f"材料{n}") for n in range(4)]
    # The same person's files for another identity (in person / for a company), and
    # another person's file: never in this locker.
    other_company = None if identity.company else company_agent().company
    other_identity = Identity(user=identity.user, person=identity.person, company=other_company)
    elsewhere = store(other_identity, "另一身份的文件")
    stranger = store(applicant(), "他人的文件")
    for ids in (
        [own[0].public_id],
        [f.public_id for f in own[:3]],
        [f.public_id for f in own] + [elsewhere.public_id, stranger.public_id, uuid.uuid4()],
        [own[1].public_id, own[1].public_id],
    ):
        got = applications.locker_files(identity, ids)
        assert columns(got) == columns(by_queryset(identity, ids))
        assert set(got) == {i for i in ids if i in {f.public_id for f in own}}
    assert applications.locker_files(identity, []) == {}


def test_the_locker_files_are_read_fresh_with_the_ids_as_parameters():
    identity = applicant()
    first, second = store(identity, "甲"), store(identity, "乙")
    with CaptureQueriesContext(connection) as seen:
        assert set(applications.locker_files(identity, [first.public_id])) == {first.public_id}
        assert set(applications.locker_files(identity, [second.public_id])) == {second.public_id}
    assert len(seen.captured_queries) == 2
    first.title = "改名后的文件"
    first.save()
    assert applications.locker_files(identity, [first.public_id])[first.public_id].title == (
        "改名后的文件"
    )
    first.delete()
    assert applications.locker_files(identity, [first.public_id]) == {}


def test_prepared_takes_whole_numbers_and_uuids_unconverted_only():
    from govhall.cases.models import StoredFile

    identity = applicant()
    stored = store(identity, "甲")
    read = Prepared(
        StoredFile,
        lambda owner, public_id: StoredFile.objects.filter(owner_id=owner, public_id=public_id),
    )
    assert [f.pk for f in read(identity.user.pk, stored.public_id)] == [stored.pk]
    assert read(identity.user.pk + 1000, stored.public_id) == []
    with pytest.raises(TypeError):
        read(True, stored.public_id)
    with pytest.raises(TypeError):
        read(float(identity.user.pk), stored.public_id)
    # A value the query changes before sending it (here: one added) is refused.
    changed = Prepared(StoredFile, lambda owner: StoredFile.objects.filter(size__gt=owner + 1))
    with pytest.raises(ValueError):
        changed(1)
