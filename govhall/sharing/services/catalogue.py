"""The open-data catalogue as people and programs read it: one entry per published
dataset (API and page), and the same entries as DCAT (W3C Data Catalog Vocabulary)."""

from __future__ import annotations

from django.urls import reverse

from ..models import OpenDataset
from .datasets import LICENCE_TITLE, REGISTRY
from .publishing import FORMATS


def published():
    """Datasets with files to download (a withheld one keeps its last clean files)."""
    return [d for d in OpenDataset.objects.exclude(files={}).order_by("key") if d.key in REGISTRY]


def entry(record: OpenDataset, absolute) -> dict:
    """``absolute`` turns a path into a URL (``request.build_absolute_uri``)."""
    spec = REGISTRY[record.key]
    return {
        "id": record.key,
        "title": spec.title,
        "description": spec.description,
        "publisher": spec.publisher,
        "licence": spec.licence,
        "updated_at": record.updated_at.isoformat() if record.updated_at else None,
        "update_cycle": spec.update_cycle,
        "keywords": list(spec.keywords),
        "row_count": record.row_count,
        "fields": [c.as_dict() for c in spec.columns],
        "distributions": [
            {
                "format": fmt.upper(),
                "media_type": FORMATS[fmt],
                "bytes": record.files[fmt]["bytes"],
                "sha256": record.files[fmt]["sha256"],
                "url": absolute(
                    reverse("sharing:open-data-download", kwargs={"key": record.key, "fmt": fmt})
                ),
            }
            for fmt in FORMATS
            if fmt in record.files
        ],
    }


CONTRACT_KEYS = ("id", "title", "publisher", "licence", "updated_at", "fields", "distributions")


def contract_entry(record: OpenDataset, absolute) -> dict:
    """The list's entry exactly as the public contract gives it; ``entry`` has the rest."""
    full = entry(record, absolute)
    short = {key: full[key] for key in CONTRACT_KEYS}
    short["distributions"] = [
        {"format": d["format"], "url": d["url"]} for d in full["distributions"]
    ]
    return short


def dcat(records: list[OpenDataset], absolute) -> dict:
    """The catalogue in DCAT as JSON-LD."""
    datasets = []
    for record in records:
        e = entry(record, absolute)
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "@id": absolute(reverse("sharing:open-data") + f"#{record.key}"),
                "dct:identifier": e["id"],
                "dct:title": e["title"],
                "dct:description": e["description"],
                "dct:publisher": {"@type": "foaf:Organization", "foaf:name": e["publisher"]},
                "dct:license": e["licence"],
                "dct:modified": e["updated_at"],
                "dct:accrualPeriodicity": e["update_cycle"],
                "dcat:keyword": e["keywords"],
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:format": d["format"],
                        "dcat:mediaType": d["media_type"],
                        "dcat:downloadURL": d["url"],
                        "dcat:byteSize": d["bytes"],
                        "spdx:checksum": {
                            "spdx:algorithm": "spdx:checksumAlgorithm_sha256",
                            "spdx:checksumValue": d["sha256"],
                        },
                    }
                    for d in e["distributions"]
                ],
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "spdx": "http://spdx.org/rdf/terms#",
        },
        "@type": "dcat:Catalog",
        "dct:title": "广东省网上办事大厅开放数据目录",
        "dct:license": LICENCE_TITLE,
        "dcat:dataset": datasets,
    }
