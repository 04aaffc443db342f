"""Reads compiled once per database connection and run again with other values.

Compiling a queryset (joins, the select list, ordering) costs several times what running
it does for a one-row lookup by key: 0.97 ms of CPU against 0.12 ms for the item read of
every application. ``Prepared`` compiles the queryset its ``build`` function returns
once per connection, with marker values in place of the arguments, and each call sends
the same SQL with the arguments where the markers were; the rows become model instances
as ``QuerySet`` builds them (``select_related`` objects and annotations included).

Only text arguments compared as they are (``CharField`` lookups): a value the ORM would
convert first would be sent unconverted, so ``build`` must pass each argument to the
query unchanged — checked when compiling (each marker must appear once, as given).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


class Prepared:
    """``Prepared(Model, lambda code: Model.objects.filter(code=code)[:1])(code)`` is the
    list the queryset would give, without compiling it again."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet]):
        self.model = model
        self.build = build

    def __call__(self, *values: str) -> list:
        if not all(isinstance(value, str) for value in values):
            raise TypeError("Prepared reads take text values only")
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        # Kept on the connection (a compiler is bound to the one it compiled on): the plans
        # go with it when its thread ends.
        plans = connection.__dict__.setdefault("_govhall_prepared", {})
        plan = plans.get(self)
        if plan is None:
            plan = plans[self] = _Plan(self.build, len(values), alias)
        return plan.run(values)


class _Plan:
    def __init__(self, build: Callable[..., QuerySet], count: int, alias: str):
        marks = [f"\x00prepared {n}\x00" for n in range(count)]
        queryset = build(*marks).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = [marks.index(p) if isinstance(p, str) and p in marks else None for p in params]
        if sorted(slot for slot in slots if slot is not None) != list(range(count)):
            raise ValueError("each value must reach the query once, unconverted")
        self.alias, self.sql, self.params, self.slots = alias, sql, list(params), slots
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = list(compiler.annotation_col_map.items())

    def run(self, values) -> list:
        params = [
            p if s is None else values[s] for s, p in zip(self.slots, self.params, strict=True)
        ]
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in self.compiler.results_iter([rows]):
            obj = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found
