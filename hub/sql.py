"""Plain SQL for the few statements of a dropoff whose ORM form costs more to build than to
run (docs/performance.md): rows read with Django's own conversion of each value, rows of one
model inserted in one statement, updates run with such an insert as one statement, and the
cursor they run on, which has Postgres prepare them (they run while the dropoff holds its
locks). Column names and placeholders come from the models' fields; values are always
passed as parameters."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.utils import CursorWrapper

M = TypeVar("M", bound=models.Model)


class _PreparingCursor(psycopg.Cursor):
    """psycopg's cursor that sends its parameters apart from the statement and has Postgres
    prepare the statement: parsed and planned once per connection and statement text, then
    only run. Django leaves psycopg's automatic preparing off (for connection poolers in
    transaction mode, which production does not use: docker-compose.yml)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)
        if self._query is None:
            # Django's log of the queries (last_executed_query) reads the statement here,
            # which psycopg keeps only for the statements it does not prepare.
            self._query = cast(Any, SimpleNamespace(query=str(query).encode()))
        return self


def cursor() -> CursorWrapper:
    """A cursor for a dropoff's statements, which run while its locks are held. On Postgres
    they are prepared: planning them cost more than running them (a millisecond for the
    stock write's statement, half of one for a balance lock), time every other dropoff to
    the same shelf spent waiting. Django's own wrapper around it (the queries are logged
    and counted as any). Elsewhere (SQLite) the connection's own cursor."""
    db = _database()
    if db.vendor != "postgresql":
        return db.cursor()
    # As db.cursor() does (its health check, connection and wrapper), with this cursor.
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        return db._prepare_cursor(_PreparingCursor(db.connection))


def model_fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    """The model's concrete fields of these names (or attnames), in order."""
    return list(_model_fields(model, tuple(names)))


@cache
def _model_fields(model: type[models.Model], names: tuple[str, ...]) -> tuple[models.Field, ...]:
    return tuple(cast(models.Field, model._meta.get_field(name)) for name in names)


def select_list(fields: Sequence[models.Field], *, table: str | None = None) -> str:
    """The fields' columns for a SELECT, each qualified by `table` (their model's table
    unless given: an alias of the statement)."""
    return _select_list(tuple(fields), table)


# The statements' texts are built on every submit from the same few field lists: cached,
# they cost a lookup instead of a quoted name per column.
@cache
def _select_list(fields: tuple[models.Field, ...], table: str | None) -> str:
    quote = _database().ops.quote_name
    return ", ".join(
        f"{quote(table or f.model._meta.db_table)}.{quote(cast(str, f.column))}" for f in fields
    )


def rows_read(*, sql: str, params: Sequence, fields: Sequence[models.Field]) -> list[list[Any]]:
    """The rows of `sql`, whose columns are `fields` in order, each value converted as the ORM
    converts it (a date read from SQLite, a JSON document from Postgres)."""
    with cursor() as read:
        read.execute(sql, params)
        rows = read.fetchall()
    db = _database()
    converters = _converters(db.vendor, tuple(fields))
    if not converters:
        return [list(row) for row in rows]
    result = []
    for row in rows:
        values = list(row)
        for n, convert, column in converters:
            values[n] = convert(values[n], column, db)
        result.append(values)
    return result


def _database():
    """The default database's own wrapper: what the proxy `connection` looks up on every
    attribute, once per call instead of once per value."""
    return connections[DEFAULT_DB_ALIAS]


@cache
def _converters(vendor: str, fields: tuple[models.Field, ...]) -> list[tuple[int, Callable, Any]]:
    """The backend's and the fields' converters of each column, by position: the same for
    every read of the same columns."""
    db = _database()
    converters = []
    for n, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        for convert in [*db.ops.get_db_converters(column), *column.get_db_converters(db)]:
            converters.append((n, convert, column))
    return converters


def instance(model: type[M], fields: Sequence[models.Field], row: Sequence) -> M:
    """The model's instance from a row of `rows_read` whose columns are `fields`, as the
    ORM builds it (the other fields deferred)."""
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], list(row))


def placeholders(values: Sequence) -> str:
    """ "%s, %s, ..." for an IN list of `values` (not empty): Postgres and SQLite alike."""
    return ", ".join(["%s"] * len(values))


def inserted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def columns(fields: Sequence[models.Field]) -> str:
    return _columns(tuple(fields))


@cache
def _columns(fields: tuple[models.Field, ...]) -> str:
    quote = _database().ops.quote_name
    return ", ".join(quote(cast(str, f.column)) for f in fields)


def values(row: models.Model, fields: Sequence[models.Field]) -> list:
    """The row's values as an insert stores them (`pre_save` sets `auto_now_add` fields)."""
    db = _database()
    return [f.get_db_prep_save(f.pre_save(row, True), db) for f in fields]


def rows_insert(*, rows: Sequence[models.Model]) -> None:
    """Insert unsaved rows of one model in one statement, setting their primary keys, as
    `bulk_create` would (its generic path costs several times more for a dropoff's few
    rows). On Postgres one array of values per column, as `bulk_create` does there
    (`UNNEST`), and a column whose value every row shares (a ledger operation's user,
    location, reason...) as that one value: the statement has few parameters and the same
    text for any number of rows, so psycopg adapts few values and reuses its parse of the
    text. Elsewhere (SQLite, the demo) `bulk_create` itself."""
    writes_run(updates=[], rows=rows)


@dataclass(frozen=True)
class Update:
    """An UPDATE (or DELETE) and its parameters; `rows`, if given, the number of rows it
    must change (a guard: fewer means a row was not as the caller locked it)."""

    sql: str
    params: list
    rows: int | None = None


def writes_run(*, updates: Sequence[Update], rows: Sequence[models.Model] = ()) -> bool:
    """Run `updates`, then insert `rows` (unsaved rows of one model, as `rows_insert`). On
    Postgres in one statement, each a data-modifying WITH: one round trip for a stock
    change's balances, litres in use and ledger rows. Elsewhere one statement each. False
    when an update changed other than its `rows`: the caller raises, which undoes the rest
    with its transaction."""
    if connection.vendor != "postgresql":
        counts = []
        for update in updates:
            with connection.cursor() as each:
                each.execute(update.sql, update.params)
                counts.append(each.rowcount)
        if rows:
            type(rows[0])._default_manager.bulk_create(rows)
        return _as_guarded(updates, counts)
    parts, params = [], []
    for n, update in enumerate(updates):
        parts.append(f"u{n} AS ({update.sql} RETURNING 1)")
        params += update.params
    selected = [f"(SELECT count(*) FROM u{n})" for n in range(len(updates))]  # noqa: S608
    source = ""
    if rows:
        insert, insert_params = _insert_statement(rows)
        parts.append(f"i AS ({insert})")
        params += insert_params
        selected.append("id")
        source = " FROM i"
    if not selected:
        return True
    with cursor() as write:
        # Only the callers' statements (placeholders for every value) are joined here.
        write.execute(f"WITH {', '.join(parts)} SELECT {', '.join(selected)}{source}", params)
        returned = write.fetchall()
    for saved, row in zip(rows, returned if rows else [], strict=True):
        saved.pk = row[-1]
        saved._state.adding, saved._state.db = False, connection.alias
    return _as_guarded(updates, returned[0][: len(updates)])


def _as_guarded(updates: Sequence[Update], counts: Sequence[int]) -> bool:
    return all(u.rows is None or u.rows == n for u, n in zip(updates, counts, strict=True))


def _insert_statement(rows: Sequence[models.Model]) -> tuple[str, list]:
    model = type(rows[0])
    fields = inserted_fields(model)
    db = _database()
    by_column = list(
        zip(*([f.pre_save(saved, True) for f in fields] for saved in rows), strict=True)
    )
    shared = [len(rows) > 1 and all(_same(value, col[0]) for value in col) for col in by_column]
    # One array at least, which numbers the rows (rows alike in every column are still rows).
    shared[0] = shared[0] and not all(shared)
    one_values, arrays = [], []
    for field, column, one in zip(fields, by_column, shared, strict=True):
        if one:
            one_values.append(field.get_db_prep_save(column[0], db))
        else:
            arrays.append([field.get_db_prep_save(value, db) for value in column])
    return _unnest_insert(model, tuple(shared)), [*one_values, *arrays]


# Equal values of these types are the same value to store (unlike 1 and True, or 1 and 1.0).
_PLAIN = frozenset({type(None), bool, int, str, Decimal, date, datetime, uuid.UUID})


def _same(value: object, other: object) -> bool:
    return value is other or (
        type(value) is type(other) and type(value) in _PLAIN and value == other
    )


@cache
def _unnest_insert(model: type[models.Model], shared: tuple[bool, ...]) -> str:
    """The insert of `rows_insert`, whose parameters are the shared values, then the arrays,
    each in the order of the model's fields (one at least: a single row's values all go as
    arrays of one)."""
    fields = inserted_fields(model)
    # The type without its length (varchar, not varchar(40)): no value is cut to fit.
    types = [cast(str, f.db_type(_database())).split("(")[0] for f in fields]
    unnested = [f"c{n}" for n, one in enumerate(shared) if not one]
    arrays = [f"%s::{db_type}[]" for db_type, one in zip(types, shared, strict=True) if not one]
    select = ", ".join(
        f"%s::{db_type}" if one else f"c{n}"
        for n, (db_type, one) in enumerate(zip(types, shared, strict=True))
    )
    # Only column names, types and placeholders are joined into the text.
    return (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns(fields)})"  # noqa: S608
        f" SELECT {select} FROM unnest({', '.join(arrays)}) AS t({', '.join(unnested)})"
        " RETURNING id"
    )
