"""Periodic work of the analysis store (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "export_analysis_store",
    every=datetime.timedelta(hours=1),
    description=(
        "分析库：把新的办件过程信息和更新过的办件统计事实增量导出为按月份、地市分区的 Parquet 文件"
    ),
)
def export_analysis_store():
    from .services import export

    return export.export().as_dict()


@job(
    "build_next_items",
    cron="40 2 * * *",
    description="下一步服务：从分析库的办件历史计算办理某事项的人通常接着办理的事项",
)
def build_next_items():
    from .services import nextitems

    return {"pairs": nextitems.build()}
