"""Meetings of a committee: agenda, attendance, decisions, and the meeting pack — a live preview before the
meeting, **frozen** when the meeting is held (the pack's JSON, its PDF and XLSX bytes are stored, with their
SHA-256, and never recomputed: later data changes do not alter a held meeting's pack)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from spaser.organisations.models import Direction
from spaser.schemes.models import Commitment, Indicator

from .committee import Committee, CommitteeMember


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    HELD = "held", "Tenue"
    CANCELLED = "cancelled", "Annulée"


class MeetingQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=MeetingStatus.HELD)

    def for_organisation(self, organisation):
        return self.filter(committee__organisation=organisation)


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField("date")
    start_time = models.TimeField("heure", null=True, blank=True)
    location = models.CharField("lieu", max_length=200, blank=True)
    status = models.CharField(
        "état", max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField("compte rendu", blank=True)
    validates_annual_review = models.BooleanField(
        "valide la revue annuelle",
        default=False,
        help_text="Le second COPIL de l'année valide la revue annuelle du schéma.",
    )
    annual_review_year = models.PositiveSmallIntegerField("année de la revue validée", null=True, blank=True)

    held_at = models.DateTimeField("tenue enregistrée le", null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The frozen pack (set once, when the meeting is held).
    pack = models.JSONField("dossier de séance figé", null=True, blank=True)
    pack_sha256 = models.CharField("empreinte du dossier", max_length=64, blank=True)
    pack_pdf = models.BinaryField("dossier PDF figé", null=True, blank=True)
    pack_pdf_sha256 = models.CharField("empreinte du PDF", max_length=64, blank=True)
    pack_xlsx = models.BinaryField("dossier XLSX figé", null=True, blank=True)
    pack_xlsx_sha256 = models.CharField("empreinte du XLSX", max_length=64, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    history = HistoricalRecords(excluded_fields=["pack", "pack_pdf", "pack_xlsx"])
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.committee.get_kind_display()} du {self.date:%d/%m/%Y}"

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def is_frozen(self) -> bool:
        return self.pack is not None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("point", max_length=300)
    presenter = models.CharField("présenté par", max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "ordre du jour"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Présent"
    REPRESENTED = "represented", "Représenté"
    EXCUSED = "excused", "Excusé"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField("présence", max_length=16, choices=AttendanceStatus.choices)
    note = models.CharField("précision", max_length=200, blank=True)

    class Meta:
        verbose_name = "présence"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} : {self.get_status_display()}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField("décision")
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="indicateur",
    )
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="engagement",
    )
    direction = models.ForeignKey(
        Direction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="direction",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "décision"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
