from .actions import CLOSED, CorrectiveAction, CorrectiveActionUpdate, CorrectiveStatus
from .committee import DEFAULT_FREQUENCY, Committee, CommitteeKind, CommitteeMember
from .meeting import AgendaItem, Attendance, AttendanceStatus, Decision, Meeting, MeetingStatus

__all__ = [
    "CLOSED",
    "DEFAULT_FREQUENCY",
    "AgendaItem",
    "Attendance",
    "AttendanceStatus",
    "Committee",
    "CommitteeKind",
    "CommitteeMember",
    "CorrectiveAction",
    "CorrectiveActionUpdate",
    "CorrectiveStatus",
    "Decision",
    "Meeting",
    "MeetingStatus",
]
