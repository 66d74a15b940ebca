from django import forms

from spaser.core.forms import SpaserForm

from .selectors import DEFAULT_SORT, SORTS


class SupplierFilterForm(SpaserForm):
    """The list's filters, read from the URL (GET) so that a filtered list can be shared by its address."""

    q = forms.CharField(label="Nom, SIREN ou SIRET", required=False, max_length=120)
    taille = forms.ChoiceField(
        label="Catégorie d'entreprise",
        required=False,
        choices=[
            ("", "Toutes"),
            ("PME", "PME (dont TPE)"),
            ("ETI", "ETI"),
            ("GE", "Grande entreprise"),
            ("inconnue", "Inconnue"),
        ],
    )
    ess = forms.ChoiceField(
        label="Économie sociale et solidaire",
        required=False,
        choices=[("", "Tous"), ("oui", "ESS"), ("non", "Hors ESS"), ("inconnu", "Inconnu")],
    )
    inclusif = forms.ChoiceField(
        label="Structure inclusive",
        required=False,
        choices=[
            ("", "Tous"),
            ("oui", "Toutes structures inclusives"),
            ("SIAE", "SIAE"),
            ("EA", "Entreprise adaptée"),
            ("ESAT", "ESAT"),
            ("non", "Non inclusive"),
        ],
    )
    departement = forms.ChoiceField(label="Département de l'établissement", required=False)
    tri = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput)

    def __init__(self, *args, departements: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous"), *departements]

    def cleaned_or_defaults(self) -> dict:
        if not self.is_valid():
            return {"tri": DEFAULT_SORT}
        data = {key: value for key, value in self.cleaned_data.items() if value}
        data.setdefault("tri", DEFAULT_SORT)
        return data
