"""Periodic work of the base libraries (run by ``manage.py run_scheduler``)."""

from govhall.operations.registry import job


@job(
    "count_theme_libraries",
    cron="10 3 * * *",
    description="统计各主题库的条目数（主题库页面显示）",
)
def count_theme_libraries():
    from .services import themes

    return {"themes": themes.refresh_counts()}
