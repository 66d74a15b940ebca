from django.http import Http404
from django.shortcuts import render

from spaser.organisations.selectors import organisation_for

from . import selectors
from .charts import Bar, percent_bar_chart


def dashboard(request):
    organisation = organisation_for(request.user)
    scheme = organisation.schemes.current().first() if organisation else None
    if scheme is None:
        return render(request, "indicators/dashboard_empty.html", {"organisation": organisation})
    years = selectors.available_years(scheme)
    year = selectors.default_year(scheme)
    if "annee" in request.GET:
        try:
            year = int(request.GET["annee"])
        except ValueError:
            raise Http404("Année invalide") from None
        if year not in years:
            raise Http404("Aucune valeur pour cette année")
    figures = selectors.figures_for(scheme=scheme, year=year) if year else []
    headline = selectors.headline(figures)
    chart = (
        percent_bar_chart(
            bars=[Bar(f.short_label, f.value and f.value.value, f.target) for f in headline],
            title=f"Indicateurs légaux {year} : valeur et cible",
            description=(
                "Part des marchés notifiés en "
                + str(year)
                + " avec une considération sociale ou environnementale, "
                "en nombre et en valeur, comparée à la cible de l'année. Les mêmes chiffres figurent dans le "
                "tableau qui suit."
            ),
            chart_id="chart-headline",
        )
        if headline
        else None
    )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "organisation": organisation,
            "scheme": scheme,
            "year": year,
            "years": years,
            "headline": headline,
            "figures": figures,
            "chart": chart,
            "directions": selectors.direction_rows(scheme=scheme, year=year) if year else [],
        },
    )
