"""The list pages' URL helpers: a query string with parameters changed, and the sortable columns' links."""

from django.http import QueryDict

from spaser.core.listing import query_with, sort_links


def test_query_with_changes_removes_and_keeps_the_other_parameters():
    params = QueryDict("annee=2023&tri=uid&page=2&q=a+b")
    assert query_with(params, page=None) == "annee=2023&tri=uid&q=a+b"
    assert query_with(params, tri="-date", page=None) == "annee=2023&q=a+b&tri=-date"
    assert query_with(QueryDict("tri=a&tri=b&x=1"), tri="c") == "x=1&tri=c"  # every value replaced
    assert query_with(QueryDict(""), page=None) == ""
    assert params.urlencode() == "annee=2023&tri=uid&page=2&q=a+b"  # the request's own is left alone


def test_sort_links_reverse_the_current_column_and_drop_the_page():
    params = QueryDict("annee=2025&tri=montant&page=3")
    links = sort_links(
        params, current="montant", columns=["uid", "date", "montant"], descending_first={"date", "montant"}
    )
    assert list(links) == ["uid", "date", "montant"]
    assert links["montant"].url == "?annee=2025&tri=-montant"
    assert links["montant"].aria_sort == "ascending"
    assert links["montant"].next == "décroissant"
    assert links["date"].url == "?annee=2025&tri=-date"  # descending on the first click
    assert links["date"].aria_sort == ""
    assert links["uid"].url == "?annee=2025&tri=uid"
    assert links["uid"].next == "croissant"


def test_sort_links_on_a_descending_sort():
    links = sort_links(
        QueryDict(""), current="-nom", columns=["nom", "marches"], descending_first={"marches"}
    )
    assert links["nom"].url == "?tri=nom"
    assert links["nom"].aria_sort == "descending"
    assert not links["nom"].descending
    assert links["marches"].url == "?tri=-marches"
    assert links["marches"].aria_sort == ""
