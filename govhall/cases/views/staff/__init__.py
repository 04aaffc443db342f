"""The staff case desk (办件工作台) and the one-door counter (综合窗口).

Views only read through ``govhall.cases.services.access`` and act through the case
services; a case outside the user's reach is "not found" (404) on every URL.
"""
