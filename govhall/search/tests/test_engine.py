"""The search engine on the demo slice: words, synonyms, pinyin, typos, filters, order."""

import pytest

from govhall.catalog.models import Item
from govhall.search.engine import Filters, search, search_items
from govhall.search.models import ItemDocument

pytestmark = pytest.mark.usefixtures("catalog")

LICENCE = "企业设立登记（营业执照核发）"


def names(results, n=5):
    return [item.name for item in results[:n]]


def test_chinese_words_find_the_item_by_name():
    results = search_items("营业执照")
    assert results.mode == "exact"
    assert names(results, 1) == [LICENCE]


@pytest.mark.parametrize("query", ["yyzz", "YYZZ", "yingyezhizhao", "yingye zhizhao"])
def test_pinyin_and_initials_find_the_business_licence(query):
    assert names(search_items(query), 1) == [LICENCE]


@pytest.mark.parametrize("query", ["执照", "工商执照"])
def test_synonyms_and_parts_of_words_find_the_business_licence(query):
    assert LICENCE in names(search_items(query), 3)


def test_id_card_synonyms():
    for query in ("身份证", "二代证", "居民身份证"):
        assert names(search_items(query), 1)[0].startswith("居民身份证申领"), query


def test_a_wrong_character_is_corrected():
    results = search_items("营业执熙")
    assert results.mode == "corrected"
    assert results.corrected == "营业执照"
    assert names(results, 1) == [LICENCE]


def test_a_homophone_typo_matches_by_sound():
    results = search_items("营叶执照")
    assert results.mode == "pinyin"
    assert names(results, 1) == [LICENCE]


def test_materials_and_conditions_are_searched():
    # 出生医学证明 is a material of 出生登记; 年满22周岁 is in the marriage conditions
    assert "出生登记（新生儿入户）" in names(search_items("出生医学证明"), 10)
    assert names(search_items("男年满22周岁"), 1) == ["内地居民结婚登记"]


def test_conversational_queries_and_life_words():
    results = search_items("我想开餐馆")
    assert results.mode == "exact"
    assert names(results, 1)[0].startswith("食品经营许可证核发")
    assert names(search_items("怎么办营业执照"), 1) == [LICENCE]


def test_partial_match_when_not_every_word_matches():
    results = search_items("营业执照 火星")
    assert results.mode == "partial"
    assert LICENCE in names(results, 3)


def test_nothing_found_and_empty_query():
    assert len(search_items("zzqqxx")) == 0
    assert search_items("zzqqxx").mode == "none"
    assert search_items("   ").mode == "empty" and len(search_items("")) == 0


def test_the_regions_own_items_come_first():
    jiangmen = search_items("营业执照", region="440700")[0]
    chaozhou = search_items("营业执照", region="445100")[0]
    district = search_items("结婚登记", region="440703")[0]
    assert (jiangmen.region_id, chaozhou.region_id, district.region_id) == (
        "440700",
        "445100",
        "440703",
    )
    # below the district: nearest level above first (the city before the province)
    order = [i.region_id for i in search_items("营业执照", region="440703")[:3]]
    assert order == ["440703", "440700", "440000"]


def test_relevance_beats_region():
    # the Jiangmen city hall searching 身份证 gets the district ID-card items before
    # city items that merely list an ID card among their materials
    first = search_items("身份证", region="440700")[0]
    assert first.name.startswith("居民身份证申领")


def test_filters():
    def all_match(results, predicate):
        items = list(results[: len(results)])
        return bool(items) and all(predicate(i) for i in items)

    assert all_match(
        search("登记", filters=Filters(region="445100")), lambda i: i.region_id.startswith("4451")
    )
    assert all_match(
        search("登记", filters=Filters(audience="person")),
        lambda i: "1" in i.current.audience_codes,
    )
    assert all_match(search("许可", filters=Filters(item_type="XK")), lambda i: i.item_type == "XK")
    assert all_match(
        search("许可", filters=Filters(theme="c02")),
        lambda i: i.current.themes.filter(code="c02").exists(),
    )
    department = Item.objects.filter(name=LICENCE, region_id="445100").get().department_id
    assert all_match(
        search("营业执照", filters=Filters(department=department)),
        lambda i: i.department_id == department,
    )
    # filters combine: Chaozhou's licences that need a 营业执照, none outside Chaozhou
    combined = search("营业执照", filters=Filters(region="445100", item_type="XK"))
    assert all_match(combined, lambda i: i.region_id.startswith("4451") and i.item_type == "XK")


def test_queryset_restricts_results():
    queryset = Item.objects.filter(region_id="445100")
    results = search_items("营业执照", queryset)
    assert len(results) > 0
    assert {i.region_id for i in results[: len(results)]} == {"445100"}


def test_results_are_a_lazy_sequence_for_paginators():
    results = search_items("登记")
    total = len(results)
    assert total > 20
    first, second = results[0:10], results[10:20]
    assert len(first) == 10 and len(second) == 10
    assert not {i.pk for i in first} & {i.pk for i in second}
    assert results[0].pk == first[0].pk


def test_highlights_mark_matches_and_escape_html():
    hit = search_items("营业执照").hits(0, 1, highlight=True)[0]
    assert "<mark>营业执照</mark>" in hit.name_html
    assert "<mark>" in hit.snippet_html or hit.snippet_html
    pinyin_hit = search_items("yyzz").hits(0, 1, highlight=True)[0]
    assert "<mark>营业执照</mark>" in pinyin_hit.name_html
    from govhall.search.engine import mark

    assert mark("<b>营业执照</b>", {"营业执照"}) == "&lt;b&gt;<mark>营业执照</mark>&lt;/b&gt;"


def test_facets_count_the_matches():
    facets = search_items("营业执照").facets()
    assert sum(n for _, n in facets["item_type"]) == len(search_items("营业执照"))


def test_index_follows_publishing():
    from govhall.search.engine import index_item, remove_item

    item = Item.objects.get(name=LICENCE, region_id="440700")
    remove_item(item)
    assert not ItemDocument.objects.filter(item=item).exists()
    assert item.pk not in [i.pk for i in search_items("营业执照")[:50]]
    assert index_item(item) is True
    assert search_items("营业执照", region="440700")[0].pk == item.pk
    # suspended items leave the index
    Item.objects.filter(pk=item.pk).update(status=Item.Status.SUSPENDED)
    assert index_item(item) is False
    assert not ItemDocument.objects.filter(item=item).exists()


def test_keyword_filters_of_search_items():
    results = search_items("营业执照", region="440700", within="445100", item_type="QR")
    items = list(results[: len(results)])
    assert items and all(i.region_id.startswith("4451") and i.item_type == "QR" for i in items)
