"""Pages of long lists read « ids first »: the list's ids in its order (narrow, often read from an index
alone, and small enough for a process to keep: spaser/organisations/data_stamp.py), then the page's rows.

Sorting the whole rows of 100 000 contracts reads the 400 MB table for every page; sorting their ids once and
slicing them costs a list of integers.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def id_array(queryset: QuerySet) -> array:
    """The queryset's primary keys in its order, as compact as a list of integers can be (8 bytes each)."""
    return array("q", queryset.values_list("pk", flat=True))


def page_of_ids(ids: Sequence[int], page_number, *, per_page: int) -> Page:
    """The page asked (`?page=`, forgiving as Paginator.get_page: the first or last page when out of range);
    its `object_list` is its ids."""
    page = Paginator(ids, per_page).get_page(page_number)
    page.object_list = list(page.object_list)
    return page


def rows_in_order(queryset: QuerySet, ids: Iterable[int]) -> list:
    """The rows of `ids` (one query), in the order of `ids`."""
    ids = list(ids)
    rows = queryset.in_bulk(ids) if ids else {}
    return [rows[pk] for pk in ids]
