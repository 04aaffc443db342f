"""The README's demo addresses and demo data say what a fresh `make run` really has."""

import re
from pathlib import Path

from govhall.demo import accounts as accounts_demo
from govhall.demo.accounts import make_id_number
from govhall.demo.catalog import common as catalogue_demo
from govhall.regions.services.loading import read_regions

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_hall_address_in_the_readme_has_demo_items():
    """/halls/440703001/ was a 404 (蓬江区's towns start at 440703002)."""
    regions = {row["code"]: row for row in read_regions()}
    with_items = {
        catalogue_demo.PROVINCE,
        *catalogue_demo.CITIES,
        *catalogue_demo.COUNTIES,
        *catalogue_demo.TOWNS,
    }
    linked = re.findall(r"/halls/(\d+)/", README)
    assert linked
    for code in linked:
        assert code in regions, f"/halls/{code}/ is no region"
        assert code in with_items, f"/halls/{code}/ has no demo items"
    # The regions the README names as having items are those the demo loads.
    named = set(re.findall(r"\(`(\d{6}(?:\d{3})?)`\)", README))
    assert named == set(catalogue_demo.COUNTIES) | set(catalogue_demo.TOWNS)


def test_the_demo_citizens_id_number_is_the_one_the_demo_loads():
    for username, name, address, birth, sequence, *_ in accounts_demo.DEMO_PEOPLE:
        number = make_id_number(address, birth, sequence)
        assert f"{name} `{number}`" in README, username
