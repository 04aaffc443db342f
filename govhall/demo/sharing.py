"""Demo: publish the open datasets from the demo catalogue, directory and indicators."""

from govhall.sharing.services import publishing


def load(password: str) -> str:
    outcomes = publishing.publish_all()
    published = [o for o in outcomes if o.published]
    rows = sum(o.rows for o in published)
    return f"开放数据：发布数据集{len(published)}个（共{rows}行），见 /open-data/。"
