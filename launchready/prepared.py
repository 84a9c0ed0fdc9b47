"""Read queries whose SQL is compiled once per database connection, not on every request.

Building and compiling a QuerySet costs Django's ORM 0.15 to 0.4 ms, several times what
the database takes to run a small indexed query, and the sprint page runs a handful of
the same ones on every view (bench/dashboard_bench.py). A ``PreparedRows`` is built from
a function returning a ``values_list()`` QuerySet: it calls it once with stand-ins for
the arguments, keeps the SQL the ORM wrote and the ORM's column converters (dates, JSON),
and afterwards only binds the arguments, runs the SQL and converts the rows. The SQL is
the ORM's own, for the database in use; the arguments are bound by the driver as
parameters, never written into the SQL.

Only for queries whose shape never changes: the arguments may only be values compared
in the WHERE clause (ids, codes), each used as is (no lookup that rewrites its value,
such as ``__contains``), never a list, a slice bound or anything that changes the SQL.
A stand-in that is not found among the parameters, exactly once, is an error at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Stand-ins for the arguments while compiling: integers no id or code takes.
_STAND_INS = tuple(-7_349_001 - n for n in range(8))


class PreparedRows:
    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *, using: str = DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using
        # Per connection object (one per thread): the converters the ORM hands out are
        # bound to the connection they were made for.
        self._compiled: weakref.WeakKeyDictionary[Any, tuple] = weakref.WeakKeyDictionary()

    def _compile(self, connection: Any, arity: int) -> tuple:
        queryset = self.build(*_STAND_INS[:arity])
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []
        for stand_in in _STAND_INS[:arity]:
            found = [i for i, p in enumerate(params) if p in (stand_in, str(stand_in))]
            if len(found) != 1:
                raise ValueError(f"{self.build.__qualname__}: an argument is not one parameter")
            slots.append(found[0])
        columns = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(columns).items())
        compiled = (sql, params, slots, converters)
        self._compiled[connection] = compiled
        return compiled

    def __call__(self, *args: Any) -> list[tuple]:
        connection = connections[self.using]
        compiled = self._compiled.get(connection) or self._compile(connection, len(args))
        sql, params, slots, converters = compiled
        bound = list(params)
        for slot, value in zip(slots, args, strict=True):
            if not isinstance(value, int | str):
                raise TypeError(f"{self.build.__qualname__}: {type(value).__name__} argument")
            bound[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in rows]
        out = []
        for row in rows:
            values = list(row)
            for pos, (convs, expression) in converters:
                value = values[pos]
                for convert in convs:
                    value = convert(value, expression, connection)
                values[pos] = value
            out.append(tuple(values))
        return out
