"""Where a process record came from (``ProcessRecord.source``): this hall's own case
engine, an exchange client's code (a branch hall or a vertical system), or the demo data
that ``load_demo`` writes to show the dashboards before any client pushes."""

LOCAL = "local"
DEMO = "demo"
