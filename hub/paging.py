"""Pages of a list that is never counted: each page reads one row more than it shows to
know whether a next one exists, so a page costs the same however long the list grows
(Django's Paginator counts every row first, to say "page 3 of N")."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Subquery


@dataclass(frozen=True)
class UncountedPage:
    object_list: list
    number: int
    has_next: bool

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 100_000  # far past any real list; keeps the offset within the database's integers


def uncounted_page(*, rows: QuerySet, number: str | None, size: int) -> UncountedPage:
    """Page `number` of `rows`: the first when missing or not a whole number above 0, the
    MAX_PAGE-th at most (an empty page past the end)."""
    try:
        page = min(max(int(number or 1), 1), MAX_PAGE)
    except ValueError:
        page = 1
    start = (page - 1) * size
    found = list(rows[start : start + size + 1])
    return UncountedPage(object_list=found[:size], number=page, has_next=len(found) > size)


@dataclass(frozen=True)
class KeysetPage:
    """A page read from where the previous one ended: `after` the last row shown, or
    `before` the first one, in the list's own order. A page deep in a long list costs the
    same as the first, with an index in that order (no offset to count past)."""

    object_list: list
    has_next: bool
    has_previous: bool

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def after(self) -> int | None:
        """The token of the next page: the last row's primary key."""
        return self.object_list[-1].pk if self.object_list else None

    @property
    def before(self) -> int | None:
        """The token of the previous page: the first row's primary key."""
        return self.object_list[0].pk if self.object_list else None


MAX_TOKEN = 2**63 - 1  # a primary key is a bigint at most


def keyset_page(*, rows: QuerySet, after: str | None, before: str | None, size: int) -> KeysetPage:
    """The page of `rows` after the row whose primary key is `after` (else before the one
    that is `before`, else the first page). `rows` is ordered by fields of its own model,
    ascending, never NULL, the last its primary key. A token that is not a primary key is
    ignored (the first page); one of a row that is gone gives an empty page. The row of a
    token need not be in `rows` any more (used up since), only on record: its place in the
    order is read by the page's query, in subqueries (one query in all)."""
    order = [str(field) for field in rows.query.order_by]
    if not order or order[-1] not in ("pk", "id") or any(f.startswith("-") for f in order):
        raise ValueError(f"keyset_page needs an ascending order ending in the key: {order}")
    if (mark := _token(after)) is not None:
        found = list(rows.filter(_beyond(rows, order, mark, "gt"))[: size + 1])
        return KeysetPage(object_list=found[:size], has_next=len(found) > size, has_previous=True)
    if (mark := _token(before)) is not None:
        found = list(rows.filter(_beyond(rows, order, mark, "lt")).reverse()[: size + 1])
        return KeysetPage(
            object_list=found[:size][::-1], has_next=True, has_previous=len(found) > size
        )
    found = list(rows[: size + 1])
    return KeysetPage(object_list=found[:size], has_next=len(found) > size, has_previous=False)


def _token(value: str | None) -> int | None:
    if value is None or not value.isdecimal() or not value.isascii():
        return None
    number = int(value)
    return number if 0 < number <= MAX_TOKEN else None


def _beyond(rows: QuerySet, order: list[str], mark: int, lookup: str) -> Q:
    """Rows past the marked one in `order` ("gt") or before it ("lt"): for fields (a, b,
    id), a > a' OR (a = a' AND (b > b' OR (b = b' AND id > id'))), with a >= a' first, so
    that an index in that order is read from the mark on."""
    marked = rows.model._base_manager.filter(pk=mark).order_by()

    def value(field: str) -> Subquery | int:
        return mark if field == order[-1] else Subquery(marked.values(field)[:1])

    condition = Q(**{f"{order[-1]}__{lookup}": value(order[-1])})
    for field in reversed(order[:-1]):
        condition = Q(**{f"{field}__{lookup}": value(field)}) | (
            Q(**{field: value(field)}) & condition
        )
    if len(order) > 1:
        condition &= Q(**{f"{order[0]}__{lookup}e": value(order[0])})
    return condition
