"""The demo catalogue data, its loader command and the benchmark generator."""

from io import StringIO

import pytest
from django.core.management import call_command

from govhall.catalog.data.themes import COMPANY_THEMES, PERSON_THEMES, THEMES_BY_CODE
from govhall.demo.catalog import journeys, loader


def test_the_65_themes_of_seed_001():
    assert len(PERSON_THEMES) == 31 and len(COMPANY_THEMES) == 34
    assert PERSON_THEMES[0][1] == "生育收养" and PERSON_THEMES[-1][1] == "其他"
    assert COMPANY_THEMES[0][1] == "设立变更" and COMPANY_THEMES[-2][1] == "档案文物"


def test_templates_cover_every_theme_with_unique_codes():
    templates = loader.all_templates()
    assert {t for template in templates for t in template.themes} == set(THEMES_BY_CODE)
    codes = [t.code for t in templates]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 10 and code[2:].isdigit() for code in codes)


@pytest.mark.django_db
def test_every_implementation_has_a_department_and_passes_the_catalogue_rules():
    from govhall.catalog.services import rules

    loader.load_themes()
    plan = loader.make_plan()
    wanted = sum(len(t.levels) for t in plan.templates)
    assert len(plan.departments) == wanted  # no template names a missing department
    documents = loader.documents(plan)
    assert len(documents) >= 300
    regions = {region for _key, region in plan.departments}
    assert {"440000", "440700", "445100", "440703", "445102"} <= regions
    for document in documents:
        problems = rules.check(document, document["item_type"], complete=True)
        assert not problems, (document["name"], [p.message for p in problems])


@pytest.mark.django_db
def test_scenarios_and_bundles_refer_to_loaded_items():
    plan = loader.make_plan()
    for doc in journeys.scenarios():
        assert loader._resolve_outcomes(doc, plan) is not None, doc["code"]
    for code, *_rest, members in journeys.BUNDLES:
        for key, region, _required, _condition in members:
            assert loader.implementation_code(key, region, plan), (code, key, region)


@pytest.mark.django_db
def test_load_catalog_demo_is_idempotent():
    out = StringIO()
    args = ["--only", "marriage-registration", "id-card-001", "--regions", "440703", "445102"]
    call_command("load_catalog_demo", *args, stdout=out)
    assert "新增 6" in out.getvalue()  # 2 regions × (marriage, ID card and its main item)
    out = StringIO()
    call_command("load_catalog_demo", *args, stdout=out)
    assert "新增 0，更新 0，未变 6" in out.getvalue()
    from govhall.search.engine import search_items

    assert search_items("结婚登记", region="445102")[0].region_id == "445102"


@pytest.mark.django_db
def test_generator_makes_searchable_published_items_and_clears_them():
    from govhall.catalog.models import Item
    from govhall.demo.generators.items import clear_generated
    from govhall.search.engine import search_items

    loader.load_themes()
    out = StringIO()
    call_command("generate_items", "--count", "300", stdout=out)
    assert "生成事项 300 个" in out.getvalue()
    generated = Item.objects.published().filter(basic_code__regex=r"^[A-Z]{2}5\d{7}$")
    assert generated.count() == 300
    assert generated.first().current.materials.exists()
    assert len(search_items("登记")) > 0
    assert clear_generated() == 300
    assert not Item.objects.filter(basic_code__regex=r"^[A-Z]{2}5\d{7}$").exists()


@pytest.mark.django_db
def test_synonyms_edited_in_the_table_take_effect_and_rebuild_command():
    from govhall.demo.catalog.loader import load_demo
    from govhall.search.engine import search_items
    from govhall.search.models import SynonymGroup

    load_demo(keys=["marriage-registration"], regions=["440703"])
    assert len(search_items("红本本")) == 0
    SynonymGroup.objects.create(terms="结婚登记 红本本")  # a word the file does not know
    assert search_items("红本本")[0].name == "内地居民结婚登记"
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "已索引事项 1 个" in out.getvalue()
