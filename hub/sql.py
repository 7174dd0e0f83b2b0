"""Plain SQL for the few statements of a dropoff whose ORM form costs more to build than to
run (docs/performance.md): rows read with Django's own conversion of each value, and rows of
one model inserted in one statement. Column names and placeholders come from the models'
fields; values are always passed as parameters."""

from collections.abc import Sequence
from typing import Any, TypeVar, cast

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def model_fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    """The model's concrete fields of these names (or attnames), in order."""
    return [cast(models.Field, model._meta.get_field(name)) for name in names]


def select_list(fields: Sequence[models.Field], *, table: str | None = None) -> str:
    """The fields' columns for a SELECT, each qualified by `table` (their model's table
    unless given: an alias of the statement)."""
    return ", ".join(
        f"{connection.ops.quote_name(table or f.model._meta.db_table)}."
        f"{connection.ops.quote_name(cast(str, f.column))}"
        for f in fields
    )


def rows_read(*, sql: str, params: Sequence, fields: Sequence[models.Field]) -> list[list[Any]]:
    """The rows of `sql`, whose columns are `fields` in order, each value converted as the ORM
    converts it (a date read from SQLite, a JSON document from Postgres)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = []
    for n, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        for convert in [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]:
            converters.append((n, convert, column))
    result = []
    for row in rows:
        values = list(row)
        for n, convert, column in converters:
            values[n] = convert(values[n], column, connection)
        result.append(values)
    return result


def instance(model: type[M], fields: Sequence[models.Field], row: Sequence) -> M:
    """The model's instance from a row of `rows_read` whose columns are `fields`, as the
    ORM builds it (the other fields deferred)."""
    return model.from_db(connection.alias, [f.attname for f in fields], list(row))


def placeholders(values: Sequence) -> str:
    """ "%s, %s, ..." for an IN list of `values` (not empty): Postgres and SQLite alike."""
    return ", ".join(["%s"] * len(values))


def inserted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def columns(fields: Sequence[models.Field]) -> str:
    return ", ".join(connection.ops.quote_name(cast(str, f.column)) for f in fields)


def values(row: models.Model, fields: Sequence[models.Field]) -> list:
    """The row's values as an insert stores them (`pre_save` sets `auto_now_add` fields)."""
    return [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]


def rows_insert(*, rows: Sequence[models.Model]) -> None:
    """Insert unsaved rows of one model in one statement, setting their primary keys, as
    `bulk_create` would (its generic path costs several times more for a dropoff's few
    rows). Postgres; elsewhere (SQLite, the demo) `bulk_create` itself."""
    if not rows:
        return
    model = type(rows[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows)
        return
    fields = inserted_fields(model)
    row = f"({placeholders(fields)})"
    with connection.cursor() as cursor:
        cursor.execute(
            # Only column names and placeholders are joined into the text.
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns(fields)})"  # noqa: S608
            f" VALUES {', '.join([row] * len(rows))} RETURNING id",
            [value for saved in rows for value in values(saved, fields)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for saved, pk in zip(rows, ids, strict=True):
        saved.pk = pk
        saved._state.adding, saved._state.db = False, connection.alias
