"""Pages of a list that is never counted: each page reads one row more than it shows to
know whether a next one exists, so a page costs the same however long the list grows
(Django's Paginator counts every row first, to say "page 3 of N")."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet


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
