"""Forms of the upload page and of the quarantine pages."""

from __future__ import annotations

import json
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from spaser.contracts.models import QuarantineStatus
from spaser.core import uploads
from spaser.core.forms import SpaserForm

ACCEPTED_EXTENSIONS = (".json", ".xml", ".csv", ".parquet", ".zip", ".gz")
DEFAULT_MAX_UPLOAD_MB = 200


def max_upload_mb() -> float:
    return float(getattr(settings, "SPASER_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))


def file_size(size: float) -> str:
    """12576 → '12,3 ko'; 209715200 → '200 Mo' (French units and decimal comma)."""
    value, unit = (size / 1024, "ko") if size < 1024 * 1024 else (size / 1024 / 1024, "Mo")
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + f" {unit}"


class DecpUploadForm(SpaserForm):
    file = forms.FileField(
        label="Fichier DECP",
        widget=forms.FileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier envoyé est vide.",
        },
    )
    source_label = forms.CharField(
        label="Source",
        max_length=120,
        required=False,
        help_text="Plateforme ou système d'où vient le fichier (par exemple « Mégalis » ou "
        "« data.gouv.fr »). Elle départage deux publications d'un même marché et figure dans le rapport.",
    )
    dry_run = forms.BooleanField(
        label="Essai à blanc : lire et contrôler le fichier sans rien enregistrer",
        required=False,
        help_text="Le bilan et le rapport sont produits comme pour un vrai import.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "JSON (formats 2019 et 2022), XML, CSV ou Parquet (format tabulaire national), éventuellement "
            f"compressé en .zip ou .gz. Taille maximale : {file_size(max_upload_mb() * 1024 * 1024)}."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name
        if not name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise ValidationError(
                f"« {name} » n'est pas d'un type accepté : choisissez un fichier .json, .xml, .csv, "
                ".parquet, .zip ou .gz."
            )
        limit = max_upload_mb() * 1024 * 1024
        if upload.size > limit:
            raise ValidationError(
                f"Le fichier « {name} » pèse {file_size(upload.size)} : la taille maximale acceptée en ligne "
                f"est de {file_size(limit)}. Importez-le avec la commande "
                "« spaser import_decp », ou demandez à l'administrateur de relever la limite "
                "(réglage SPASER_MAX_UPLOAD_MB)."
            )
        # The content decides, not the name: a PDF named .json is refused here, before a job reads it.
        problem = uploads.refusal(
            name,
            uploads.read_head(upload),
            {uploads.TEXT, uploads.ZIP, uploads.GZIP, uploads.PARQUET},
            "un fichier DECP (JSON, XML, CSV ou Parquet, éventuellement en .zip ou .gz)",
        )
        if problem:
            raise ValidationError(problem)
        return upload


# --- Quarantine ------------------------------------------------------------------------------------------

ALL = "tous"


class QuarantineFilterForm(forms.Form):
    """GET filters of the quarantine list: they live in the URL, so a filtered list can be shared."""

    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[*QuarantineStatus.choices, (ALL, "Tous les statuts")],
    )
    lot = forms.TypedChoiceField(label="Import", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, batches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", "Tous les imports")] + [
            (batch.pk, f"n° {batch.pk} · {batch.source_name} ({batch.started_at:%d/%m/%Y})")
            for batch in batches
        ]

    def status(self) -> str | None:
        """The status to show: pending unless the user chose another one or all of them."""
        value = self.cleaned_data.get("statut") if self.is_valid() else ""
        if value == ALL:
            return None
        return value or QuarantineStatus.PENDING

    def batch_id(self) -> int | None:
        return self.cleaned_data.get("lot") if self.is_valid() else None


# json's messages, in French: a buyer editing a record must understand what to fix and where.
JSON_MESSAGES = [
    (r"^Expecting ',' delimiter", "une virgule est attendue"),
    (r"^Expecting ':' delimiter", "un deux-points « : » est attendu"),
    (
        r"^Expecting property name enclosed in double quotes",
        "un nom de champ entre guillemets doubles est attendu",
    ),
    (
        r"^Expecting value",
        "une valeur est attendue (texte entre guillemets, nombre, true, false, null, { } ou [ ])",
    ),
    (r"^Extra data", "du texte suit la fin de l'objet JSON"),
    (r"^Unterminated string", "un texte n'est pas fermé par un guillemet"),
    (
        r"^Invalid control character",
        "un caractère de contrôle (retour à la ligne, tabulation) est dans un texte",
    ),
    (r"^Invalid \\escape", "une séquence d'échappement « \\ » n'est pas valide"),
    (r"^Illegal trailing comma", "une virgule est en trop avant la fermeture"),
]


def _json_message(message: str) -> str:
    for pattern, french in JSON_MESSAGES:
        if re.match(pattern, message):
            return french
    return "syntaxe JSON incorrecte"


def _refuse_constant(name: str):
    raise ValueError(name)


class QuarantineCorrectionForm(SpaserForm):
    corrected_json = forms.CharField(
        label="Enregistrement corrigé (JSON)",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "code", "spellcheck": "false"}),
        help_text="Corrigez les champs en cause, puis réimportez : l'enregistrement est relu comme s'il "
        "venait du fichier. L'original reste conservé.",
        error_messages={"required": "Saisissez l'enregistrement corrigé."},
    )

    def clean_corrected_json(self) -> dict:
        text = self.cleaned_data["corrected_json"]
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"Le JSON n'est pas valide ligne {error.lineno}, colonne {error.colno} : "
                f"{_json_message(error.msg)}."
            ) from None
        except ValueError as error:
            raise ValidationError(
                f"Le JSON contient « {error} », qui n'est pas une valeur JSON : écrivez null ou un nombre."
            ) from None
        if not isinstance(value, dict):
            raise ValidationError(
                "L'enregistrement corrigé doit être un objet JSON, entre accolades { … }, pas une liste ni "
                "une valeur seule."
            )
        return value


class QuarantineIgnoreForm(SpaserForm):
    reason = forms.CharField(
        label="Motif",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi cet enregistrement n'est pas un marché à garder (par exemple : ligne de test, "
        "doublon d'un autre marché). Le motif est conservé.",
        error_messages={"required": "Indiquez pourquoi vous écartez cet enregistrement."},
    )
