"""The search index of published items, the synonym table and the name vocabulary.

``ItemDocument`` is one row per published item: what the portal shows in a result
(name, department, region, a text to cut snippets from) plus the segmented token
columns the full-text index is built on. The full-text index itself is not a Django
model, because it differs by database (created in migration 0002):

* SQLite: an FTS5 virtual table ``search_item_fts`` using this table as its external
  content, kept in step by triggers;
* PostgreSQL: a generated ``tsvector`` column ``search_vector`` (weights A name, B
  aliases, C pinyin, D body) with a GIN index, and GIN indexes on the vectors of
  ``name_keys`` and of ``name_keys`` with ``alias_keys`` (the ranking's strength
  buckets; migration 0005, with the index generation that counts are remembered by),
  and the vectors again in a narrow table that ``ts_rank`` reads (migration 0008,
  ``fulltext.RANKING_TABLE``), copied by triggers from every write of this table.

Either way, writing an ``ItemDocument`` row is all it takes to index an item.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemDocument(models.Model):
    item = models.OneToOneField(
        "catalog.Item",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    version_number = models.PositiveIntegerField(_("索引的版本号"))
    implementation_code = models.CharField(_("实施编码"), max_length=32)
    name = models.CharField(_("事项名称"), max_length=200)
    aliases = models.CharField(_("别名"), max_length=500, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    department_id = models.BigIntegerField(_("实施主体"), db_index=True)
    department_name = models.CharField(_("实施主体名称"), max_length=100)
    item_type = models.CharField(_("事项类型"), max_length=2)
    audience_codes = models.CharField(_("服务对象"), max_length=6)
    # Space-delimited with a space at both ends (" p01 c02 "), so a theme filter is one
    # LIKE '% p01 %' on the matched rows.
    theme_codes = models.CharField(_("服务主题"), max_length=400, blank=True)
    is_sub_item = models.BooleanField(_("子项"), default=False)
    body = models.TextField(_("检索正文"), blank=True)
    # Segmented text: tokens separated by single spaces (see govhall.search.text).
    name_tokens = models.TextField(blank=True)
    alias_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    name_pinyin = models.TextField(blank=True)
    alias_pinyin = models.TextField(blank=True)
    # Words and pinyin of the name / of the aliases, space-delimited with a space at both
    # ends: ranking puts items whose *name* has every query word before those where only
    # an alias does, before body-only matches (see engine._strength_sql).
    name_keys = models.TextField(blank=True)
    # Filter tokens (rg<region> rp<prefix>... dp<department> th<theme> ty<type> au<audience>
    # sub<0|1>): SQLite filters and orders by region inside the FTS5 index with them.
    facet_tokens = models.TextField(blank=True)
    alias_keys = models.TextField(blank=True)
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("事项检索文档")
        verbose_name_plural = _("事项检索文档")

    def __str__(self) -> str:
        return f"{self.name}（{self.implementation_code}）"


class SynonymGroup(models.Model):
    """Words a person may use for the same thing (营业执照 / 执照 / 工商执照).

    A query word found in a group also matches every other word of the group. Edited
    in the admin; the file ``data/synonyms.txt`` seeds it (``load_synonyms``).
    """

    terms = models.CharField(
        _("同义词"),
        max_length=500,
        unique=True,
        help_text=_("以空格或顿号分隔，第一个为规范用语，例如：营业执照 执照 工商执照。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词组")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    @property
    def term_list(self) -> list[str]:
        from .text import normalize

        parts = self.terms.replace("、", " ").replace(",", " ").replace("，", " ").split()
        return [normalize(p) for p in parts if p.strip()]


class SearchTerm(models.Model):
    """A word of the item names and aliases, for "did you mean" typo correction."""

    term = models.CharField(_("词"), max_length=60, unique=True)
    frequency = models.PositiveIntegerField(_("出现次数"), default=0)

    class Meta:
        verbose_name = _("名称词表")
        verbose_name_plural = _("名称词表")

    def __str__(self) -> str:
        return self.term
