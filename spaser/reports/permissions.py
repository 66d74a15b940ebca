"""Who may see and do what with the annual reports (the rules of governance/permissions.py).

- every member of the organisation reads its reports, drafts included, on the pilot pages;
- the pilot (superusers act as pilot) generates, validates, publishes and corrects them;
- anyone, logged in or not, reads the **published** versions on the public site; drafts never leave the
  organisation.
"""

from __future__ import annotations

from spaser.governance.permissions import can_manage, can_read
from spaser.organisations.selectors import membership_for

NOT_PILOT = "Seul le pilote du schéma génère, valide, publie et corrige le rapport annuel."
NOT_MEMBER = "Ce rapport n'existe pas ou n'appartient pas à votre organisation."


def user_can_read(user, organisation) -> bool:
    return can_read(membership_for(user, organisation), organisation)


def user_can_manage(user, organisation) -> bool:
    return can_manage(membership_for(user, organisation), organisation)
