"""`spaser meeting_pack --committee cotech|copil [--date YYYY-MM-DD | --meeting ID] [--format json|pdf|xlsx]
[--output PATH] [--organisation SLUG]`: prints or writes a meeting pack, so packs can be sent by a scheduled
job. With `--meeting` naming a held meeting, its **frozen** pack (the stored JSON, PDF or XLSX bytes, never
rebuilt); otherwise the pack built from live data for the date (today by default) or the planned meeting.
JSON goes to standard output (or --output); PDF and XLSX to --output, or to standard output when it is not a
terminal (`> pack.pdf`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from spaser.governance.models import Committee, CommitteeKind, Meeting
from spaser.governance.packs import build_pack
from spaser.organisations.models import Organisation

FORMATS = ("json", "pdf", "xlsx")


class Command(BaseCommand):
    help = (
        "Produit le dossier de séance d'un comité (COTECH ou COPIL) : celui, figé, d'une séance tenue "
        "(--meeting), ou celui construit à partir des données du jour pour une date (--date)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, help="comité : cotech ou copil")
        parser.add_argument(
            "--date", dest="day", default="", help="date de la séance, AAAA-MM-JJ (par défaut : aujourd'hui)"
        )
        parser.add_argument(
            "--meeting", default="", help="numéro d'une séance (son dossier figé si elle est tenue)"
        )
        parser.add_argument(
            "--format", dest="pack_format", default="json", help="json (par défaut), pdf ou xlsx"
        )
        parser.add_argument(
            "--output", default="", help="fichier à écrire (obligatoire en pdf ou xlsx sur un terminal)"
        )
        parser.add_argument("--organisation", default="", help="identifiant court de l'organisation")

    def handle(
        self,
        *args,
        committee: str,
        day: str,
        meeting: str,
        pack_format: str,
        output: str,
        organisation: str,
        **options,
    ):
        kind = committee.strip().lower()
        if kind not in CommitteeKind.values:
            raise CommandError(f"Comité inconnu : « {committee} » (attendu : cotech ou copil).")
        if pack_format not in FORMATS:
            raise CommandError(f"Format inconnu : « {pack_format} » (attendu : json, pdf ou xlsx).")
        if day and meeting:
            raise CommandError("Indiquez --date ou --meeting, pas les deux : une séance a déjà sa date.")
        org = self.organisation(organisation)
        if meeting:
            found = self.meeting(meeting, kind, org)
            content = self.meeting_content(found, pack_format)
        else:
            target = self.committee(kind, org)
            content = self.render(build_pack(target, on=self.day(day)), pack_format)
        self.emit(content, pack_format, output)

    # --- What to read ------------------------------------------------------------------------------------

    def organisation(self, slug: str) -> Organisation | None:
        if not slug:
            return None
        found = Organisation.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"Organisation inconnue : « {slug} ».")
        return found

    def day(self, value: str) -> date:
        if not value:
            return timezone.localdate()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--date : « {value} » n'est pas une date AAAA-MM-JJ (par exemple 2026-11-24)."
            ) from None

    def committee(self, kind: str, organisation: Organisation | None) -> Committee:
        committees = Committee.objects.filter(kind=kind).select_related("organisation")
        label = CommitteeKind(kind).label
        if organisation is not None:
            found = committees.filter(organisation=organisation).first()
            if found is None:
                raise CommandError(f"L'organisation « {organisation.slug} » n'a pas de {label}.")
            return found
        found = list(committees[:2])
        if not found:
            raise CommandError(f"Aucun {label} enregistré.")
        if len(found) > 1:
            raise CommandError(f"Plusieurs organisations ont un {label} : précisez --organisation.")
        return found[0]

    def meeting(self, value: str, kind: str, organisation: Organisation | None) -> Meeting:
        if not value.isdigit():
            raise CommandError(f"--meeting : « {value} » n'est pas un numéro de séance.")
        found = Meeting.objects.select_related("committee__organisation").filter(pk=int(value)).first()
        if found is None:
            raise CommandError(f"Séance inconnue : n° {value}.")
        if found.committee.kind != kind:
            raise CommandError(
                f"La séance n° {value} est une séance du {found.committee.get_kind_display()}, "
                f"pas du {CommitteeKind(kind).label}."
            )
        if organisation is not None and found.committee.organisation_id != organisation.pk:
            raise CommandError(
                f"La séance n° {value} n'est pas une séance de l'organisation « {organisation.slug} »."
            )
        return found

    def meeting_content(self, meeting: Meeting, format: str) -> bytes | str:
        """A frozen pack as stored (JSON, PDF or XLSX bytes); a meeting not held yet: its live pack."""
        if meeting.is_frozen:
            stored = {"pdf": meeting.pack_pdf, "xlsx": meeting.pack_xlsx}.get(format)
            if stored:
                return bytes(stored)
            return self.render(meeting.pack, format)
        return self.render(build_pack(meeting.committee, on=meeting.date, meeting=meeting), format)

    # --- Writing -----------------------------------------------------------------------------------------

    def render(self, pack: dict, format: str) -> bytes | str:
        if format == "json":
            return json.dumps(pack, indent=2, ensure_ascii=False)
        from spaser.governance import rendering, workbook  # WeasyPrint and openpyxl: loaded only when asked

        return rendering.pack_pdf(pack) if format == "pdf" else workbook.pack_xlsx(pack)

    def emit(self, content: bytes | str, format: str, output: str) -> None:
        if output:
            path = Path(output)
            try:
                if isinstance(content, str):
                    path.write_text(content + "\n", encoding="utf-8")
                else:
                    path.write_bytes(content)
            except OSError as error:
                raise CommandError(
                    f"--output : impossible d'écrire « {output} » ({error.strerror})."
                ) from None
            size = path.stat().st_size
            self.stderr.write(f"Dossier de séance ({format.upper()}) écrit dans {output} ({size} octets).")
            return
        if isinstance(content, str):
            self.stdout.write(content)
            return
        stream = getattr(self.stdout, "_out", None)
        buffer = getattr(stream, "buffer", None)
        if buffer is None or stream.isatty():
            raise CommandError(
                f"Le format {format} est binaire : indiquez --output FICHIER "
                "(ou redirigez la sortie vers un fichier)."
            )
        stream.flush()
        buffer.write(content)
        buffer.flush()
