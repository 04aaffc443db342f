from govhall.regions.models import Region


def test_reference_data_is_loaded(db):
    assert Region.objects.filter(parent_id="440000").count() == 21
