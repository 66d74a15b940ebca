from functools import cache

from django.conf import settings

from spaser.organisations.data_stamp import memo
from spaser.organisations.selectors import membership_for, organisation_for


def spaser(request):
    """The organisation shown, the user's role in it and whether its data are demonstration data.

    A view showing another organisation (a public page, a scheme of a second organisation) passes its own
    `organisation`, `membership` and `is_demo`, which override these. `public_scheme` (the organisation's
    adopted scheme, for the header link) is computed only if a template uses it.
    """
    user = getattr(request, "user", None)
    organisation = organisation_for(user)
    membership = membership_for(user, organisation)

    @cache
    def public_scheme():
        if organisation is None:
            return None
        # kept by the process until the organisation's data change (schemes renew its data stamp): every page
        return memo(
            organisation,
            "public_scheme",
            None,
            lambda: organisation.schemes.adopted().order_by("-period_start").first(),
            size=16,
        )

    return {
        "SPASER_DEBUG": settings.DEBUG,
        "organisation": organisation,
        "membership": membership,
        "is_demo": bool(organisation and organisation.is_demo),
        "public_scheme": public_scheme,
    }
