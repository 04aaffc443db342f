from django.core.management.base import BaseCommand

from govhall.core.services import calendar
from govhall.regions.services import admin_access, loading


class Command(BaseCommand):
    help = "载入参考数据：行政区划、各级办事大厅、部门名录和法定节假日（可重复执行）。"

    def handle(self, *args, **options):
        regions = loading.load_regions()
        halls = loading.create_halls()
        departments = loading.load_departments()
        years = calendar.load_years_from_package()
        admin_access.ensure_hall_admin_group()

        def total(counter) -> int:
            return sum(counter.values())

        self.stdout.write(
            f"行政区划 新增{total(regions.created)} 更新{total(regions.updated)}；"
            f"大厅 新增{total(halls.created)}；部门 新增{total(departments.created)}；"
            f"节假日年度 载入{len(years)}个；大厅管理员权限组已就绪。"
        )
