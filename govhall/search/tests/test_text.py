"""Segmentation, pinyin and the query plan: the rules the index and queries share."""

import pytest

from govhall.search import text
from govhall.search.engine import _fts5, _tsquery, decompose, plan_query


def test_index_tokens_keep_the_words_inside_compounds():
    tokens = text.index_tokens("申请食品经营许可证需要营业执照")
    # the compound itself, and every dictionary word inside it (jieba's own search mode
    # would lose 食品经营许可 inside 食品经营许可证)
    for word in ("食品经营许可证", "食品经营许可", "经营", "许可证", "营业执照", "执照"):
        assert word in tokens
    assert "，" not in tokens and " " not in tokens


def test_query_tokens_are_precise_and_drop_function_words():
    assert text.query_tokens("营业执照") == ["营业执照"]
    assert text.query_tokens("怎么办营业执照？") == ["营业执照"]
    assert text.query_tokens("ＹＹＺＺ") == ["yyzz"]  # full-width and capitals normalised


def test_names_get_unigrams_so_one_character_queries_match():
    assert "证" in text.index_tokens("残疾人证核发", unigrams=True)
    assert "证" not in text.index_tokens("残疾人证核发")


def test_pinyin_forms_full_and_initials():
    assert text.pinyin_forms("营业执照") == ("yingyezhizhao", "yyzz")
    tokens = text.pinyin_tokens(["企业设立登记（营业执照核发）"])
    assert {"yyzz", "yingyezhizhao", "qysldj"} <= set(tokens)


def test_query_pinyin_is_the_sound_of_the_whole_query():
    assert text.query_pinyin("营叶执照") == text.query_pinyin("营业执照") == "yingyezhizhao"


def test_decompose_splits_a_compound_into_its_longest_parts():
    assert decompose("食品经营许可证") == ("食品", "经营", "许可证")
    assert decompose("证件") == ()


@pytest.mark.django_db
def test_plan_expands_synonyms_and_latin_as_pinyin():
    plan = plan_query("身份证 yyzz")
    words = {t.text for g in plan.groups for a in g for t in a if not t.pinyin}
    assert {"身份证", "居民身份证", "二代证"} <= words  # synonym table, seeded by migration
    assert "yyzz" in plan.pinyin_terms()
    fts = _fts5(plan)
    assert '{name_pinyin alias_pinyin} : "yyzz" *' in fts and " AND " in fts
    tsquery = _tsquery(plan)
    # Latin words keep their weights (they may be pinyin tokens, weight C); a Chinese
    # word never is one, so it goes without, which GIN answers without a recheck
    assert "'yyzz':*C" in tsquery and "'yyzz':ABD" in tsquery
    assert "'身份证'" in tsquery and "'身份证':" not in tsquery


@pytest.mark.django_db
def test_adjacent_words_forming_a_synonym_are_joined():
    plan = plan_query("户口 迁移")
    assert plan.words == ("户口迁移",)
