"""Forms of the register pages: the upload, and the column mapping (one choice per field of the layout)."""

from __future__ import annotations

from pathlib import Path

from django import forms

from spaser.contracts.import_forms import file_size, max_upload_mb
from spaser.core import uploads
from spaser.core.forms import SpaserForm

from .mapping import field_specs, mapping_errors
from .models import ColumnMapping
from .tables import MAX_BYTES

ENCODINGS = [("", "Détecter automatiquement"), ("utf-8", "UTF-8"), ("cp1252", "Windows (cp1252 / Latin-1)")]
DELIMITERS = [
    ("", "Détecter automatiquement"),
    (";", "Point-virgule (;)"),
    (",", "Virgule (,)"),
    ("\t", "Tabulation"),
]


class UploadForm(SpaserForm):
    file = forms.FileField(
        label="Fichier",
        help_text=f"Classeur .xlsx ou fichier .csv, {MAX_BYTES // (1024 * 1024)} Mo au plus.",
    )
    saved_mapping = forms.ModelChoiceField(
        label="Correspondance de colonnes enregistrée",
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label="Aucune : reconnaître les colonnes d'après leurs en-têtes",
    )
    encoding = forms.ChoiceField(label="Encodage (CSV)", choices=ENCODINGS, required=False)
    delimiter = forms.ChoiceField(label="Séparateur (CSV)", choices=DELIMITERS, required=False)

    def __init__(self, *args, organisation, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_mapping"].queryset = ColumnMapping.objects.filter(
            organisation=organisation, kind=kind
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".xlsx", ".csv", ".txt"}:
            raise forms.ValidationError(
                f"« {upload.name} » n'est ni un classeur .xlsx ni un fichier .csv "
                "(enregistrez-le dans l'un de ces formats depuis votre tableur)."
            )
        limit = min(MAX_BYTES, max_upload_mb() * 1024 * 1024)
        if upload.size > limit:  # the size the request announced: checked before anything is read
            raise forms.ValidationError(
                f"« {upload.name} » pèse plus de {file_size(limit)} : "
                "découpez-le ou utilisez la commande spaser import_register."
            )
        if upload.size == 0:
            raise forms.ValidationError(f"« {upload.name} » est vide.")
        # The content decides, not the name: a PDF named .csv is refused clearly, here.
        problem = uploads.refusal(
            upload.name,
            uploads.read_head(upload),
            {uploads.ZIP, uploads.TEXT},
            "un classeur .xlsx ou un fichier .csv",
        )
        if problem:
            raise forms.ValidationError(problem)
        return upload


class MappingForm(SpaserForm):
    """One select per field, offering the file's headers; an optional name saves the mapping for reuse."""

    def __init__(self, *args, kind: str, headers: list[str], has_default_buyer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.headers, self.has_default_buyer = kind, headers, has_default_buyer
        choices = [("", "— aucune colonne —"), *((header, header) for header in headers)]
        for spec in field_specs(kind):
            self.fields[f"field_{spec.key}"] = forms.ChoiceField(
                label=spec.label, choices=choices, required=False, help_text=spec.help
            )
        self.fields["save_as"] = forms.CharField(
            label="Enregistrer cette correspondance sous le nom",
            max_length=100,
            required=False,
            help_text="Pour la réutiliser avec les prochains fichiers du même modèle ; "
            "un nom existant est remplacé.",
        )

    def mapping(self) -> dict[str, str]:
        return {
            spec.key: self.cleaned_data[f"field_{spec.key}"]
            for spec in field_specs(self.kind)
            if self.cleaned_data.get(f"field_{spec.key}")
        }

    def clean(self):
        cleaned = super().clean()
        errors = mapping_errors(
            self.mapping(), headers=self.headers, kind=self.kind, has_default_buyer=self.has_default_buyer
        )
        for error in errors:
            self.add_error(None, error)
        return cleaned
