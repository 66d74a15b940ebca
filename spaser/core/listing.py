"""List pages whose state lives in the URL: the query string with a few parameters changed, and the links of
sortable columns (used by the contract and supplier lists).

A sort is a column name, prefixed with "-" when descending (`?tri=-montant`). A column's link sorts by it;
a second click on the current column reverses the order. Following a sort link drops `page` (a new order
starts on its first page) and keeps every other parameter (the filters)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.http import QueryDict


def query_with(params: QueryDict, **changes: str | None) -> str:
    """The query string `params` with some parameters changed: each one named is removed (every value of
    it), then set to the new value at the end unless that value is None. Not prefixed with "?"."""
    query = params.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


@dataclass(frozen=True)
class SortLink:
    url: str  # "?" and the query string that sorts by this column
    aria_sort: str  # "ascending" or "descending" on the current sort column, "" on the others
    descending: bool  # the link sorts in descending order

    @property
    def next(self) -> str:
        """The order the link sorts in, for the link's accessible text."""
        return "décroissant" if self.descending else "croissant"


def sort_links(
    params: QueryDict,
    *,
    current: str,
    columns: Iterable[str],
    descending_first: Collection[str] = (),
    param: str = "tri",
) -> dict[str, SortLink]:
    """For each of `columns`, by name: the link that sorts by it and its aria-sort. `current` is the sort in
    force; a column in `descending_first` (amounts, dates, counts) is sorted descending on the first click."""
    active = current.lstrip("-")
    current_descending = current.startswith("-")
    links = {}
    for name in columns:
        if name == active:
            target = name if current_descending else f"-{name}"
            aria_sort = "descending" if current_descending else "ascending"
        else:
            target = f"-{name}" if name in descending_first else name
            aria_sort = ""
        links[name] = SortLink(
            url="?" + query_with(params, **{param: target, "page": None}),
            aria_sort=aria_sort,
            descending=target.startswith("-"),
        )
    return links
