"""The monitoring dashboards of the workbench (数据监测): a region's
figures against its targets, the ranking of the regions and departments under it, the
monthly trend, the cases and items behind every number, exports, the monthly PDF
report, and the target editor. The numbers come from ``govhall.monitoring.services``."""
