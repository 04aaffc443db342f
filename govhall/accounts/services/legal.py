"""Versions in force of the 用户服务协议 and the 个人信息保护说明, and acceptances.

``current()`` is what the registration tick links to and what every person must have
accepted; ``outstanding(user)`` is what a person still has to accept (asked at sign-in
by ``LegalConsentMiddleware``). Publishing freezes a version; a change is a new version.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from govhall.core import context
from govhall.core.errors import deny, refuse

from ..models import LegalAcceptance, LegalDocument, Person

_CACHE_KEY = "accounts:legal:current"
_CACHE_SECONDS = 60
KINDS = tuple(LegalDocument.Kind.values)


def current_ids() -> dict[str, int]:
    """The ids of the latest published version of each document, by kind (a kind never
    published is absent). Cached briefly in the shared cache; publishing clears it."""
    ids = cache.get(_CACHE_KEY)
    if ids is None:
        ids = {}
        for kind in KINDS:
            doc = (
                LegalDocument.objects.filter(kind=kind, published_at__isnull=False)
                .order_by("-version")
                .values_list("pk", flat=True)
                .first()
            )
            if doc is not None:
                ids[kind] = doc
        cache.set(_CACHE_KEY, ids, _CACHE_SECONDS)
    return ids


def current() -> dict[str, LegalDocument]:
    """The version in force of each document, by kind."""
    ids = current_ids()
    documents = LegalDocument.objects.in_bulk(list(ids.values()))
    return {kind: documents[pk] for kind, pk in ids.items() if pk in documents}


def must_accept(user) -> bool:
    """Persons (citizens and company representatives) accept the documents; staff-only
    accounts without a person do not use the public service."""
    return bool(user and user.is_authenticated) and Person.objects.filter(user=user).exists()


def outstanding(user) -> list[LegalDocument]:
    """The versions in force that ``user`` has not accepted yet."""
    documents = current()
    if not documents or not must_accept(user):
        return []
    accepted = set(
        LegalAcceptance.objects.filter(
            user=user, document_id__in=[d.pk for d in documents.values()]
        ).values_list("document_id", flat=True)
    )
    return [d for d in documents.values() if d.pk not in accepted]


@transaction.atomic
def accept(user, document_ids, *, how: str = "sign_in") -> list[LegalAcceptance]:
    """Record ``user``'s acceptance of these published versions (again is a no-op)."""
    documents = list(
        LegalDocument.objects.filter(pk__in=list(document_ids), published_at__isnull=False)
    )
    if len(documents) != len(set(document_ids)):
        raise refuse("documents", "not_published", "只能同意已发布的协议版本。")
    rows = []
    with context.acting(reason="同意用户服务协议和个人信息保护说明"):
        for document in documents:
            try:
                with transaction.atomic():
                    row, _ = LegalAcceptance.objects.get_or_create(
                        user=user, document=document, defaults={"how": how}
                    )
            except IntegrityError:  # the same acceptance sent twice at once
                row = LegalAcceptance.objects.get(user=user, document=document)
            rows.append(row)
    return rows


@transaction.atomic
def new_version(kind: str, *, title: str, body: str, summary_of_changes: str = ""):
    """A draft with the next version number of ``kind``."""
    if kind not in KINDS:
        raise refuse("kind", "choice", "请选择用户服务协议或个人信息保护说明。")
    last = (
        LegalDocument.objects.select_for_update()
        .filter(kind=kind)
        .aggregate(Max("version"))["version__max"]
    )
    return LegalDocument.objects.create(
        kind=kind,
        version=(last or 0) + 1,
        title=title,
        body=body,
        summary_of_changes=summary_of_changes,
    )


@transaction.atomic
def publish(actor, document: LegalDocument) -> LegalDocument:
    """Put a draft in force; persons who accepted an earlier version are asked again."""
    if not (actor.is_superuser or actor.has_perm("accounts.change_legaldocument")):
        raise deny("只有管理员可以发布协议版本。")
    document = LegalDocument.objects.select_for_update().get(pk=document.pk)
    if document.is_published:
        raise refuse("document", "already_published", f"{document}已发布。")
    newer = LegalDocument.objects.filter(
        kind=document.kind, version__gt=document.version, published_at__isnull=False
    )
    if newer.exists():
        raise refuse("document", "superseded", f"{document}之后已有更新的已发布版本。")
    document.published_at = timezone.now()
    document.published_by = actor
    with context.acting(user_id=actor.pk, label=actor.get_username(), reason="发布协议版本"):
        document.save(update_fields=["published_at", "published_by"])
    transaction.on_commit(lambda: cache.delete(_CACHE_KEY))
    cache.delete(_CACHE_KEY)
    return document


def ensure_first_versions() -> None:
    """Publish version 1 of each document where none exists (as the migration does; for
    a database emptied by a flush)."""
    from ..legal_texts import FIRST_VERSIONS

    now = timezone.now()
    for kind, title, body in FIRST_VERSIONS:
        if not LegalDocument.objects.filter(kind=kind).exists():
            LegalDocument.objects.create(
                kind=kind, version=1, title=title, body=body, published_at=now, created_at=now
            )
    cache.delete(_CACHE_KEY)
