"""factory-boy factories for the organisations and the scheme register, shared by every test package.

Defaults build a small, valid world: a département with an adopted 2024-2028 scheme. `build_register()`
returns a complete register (two directions, members of every role, actions of both directions, an
indicator with targets) for permission and page tests.
"""

import functools
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from spaser.organisations.models import (
    Buyer,
    Direction,
    DirectionKind,
    Membership,
    Organisation,
    OrganisationKind,
    PopulationBand,
    PurchaseVolumeBand,
    Role,
)
from spaser.schemes.models import (
    Action,
    ActionStatus,
    Axis,
    Commitment,
    Indicator,
    Objective,
    Scheme,
    SchemeStatus,
    Target,
    Unit,
)

PASSWORD = "mot-de-passe-de-test"


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = "Testeur"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    # Hashed once per test run: hashing per user would make every test slow. Log in with PASSWORD.
    password = factory.LazyFunction(lambda: _password_hash())


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Département d'essai {n}")
    slug = factory.Sequence(lambda n: f"departement-{n}")
    siren = factory.Sequence(lambda n: f"{229300082 + n * 1000:09d}"[-9:])
    kind = OrganisationKind.DEPARTEMENT
    population_band = PopulationBand.OVER_200K
    purchase_volume_band = PurchaseVolumeBand.OVER_200M
    is_demo = False


class BuyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Buyer

    organisation = factory.SubFactory(OrganisationFactory)
    identifier = factory.LazyAttributeSequence(lambda o, n: f"{o.organisation.siren}{n % 100000:05d}")
    name = factory.LazyAttribute(lambda o: o.organisation.name)


class DirectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Direction

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Direction {n}")
    short_name = factory.Sequence(lambda n: f"D{n}")
    slug = factory.Sequence(lambda n: f"direction-{n}")
    kind = DirectionKind.PRESCRIBING

    class Params:
        resource = factory.Trait(kind=DirectionKind.RESOURCE)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A pilot by default; traits `prescribing_referent`, `resource_referent`, `committee_member`."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.PILOT
    direction = None

    class Params:
        prescribing_referent = factory.Trait(
            role=Role.PRESCRIBING_REFERENT,
            direction=factory.SubFactory(
                DirectionFactory,
                organisation=factory.SelfAttribute("..organisation"),
                kind=DirectionKind.PRESCRIBING,
            ),
        )
        resource_referent = factory.Trait(
            role=Role.RESOURCE_REFERENT,
            direction=factory.SubFactory(
                DirectionFactory,
                organisation=factory.SelfAttribute("..organisation"),
                kind=DirectionKind.RESOURCE,
            ),
        )
        committee_member = factory.Trait(role=Role.COMMITTEE_MEMBER)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"spaser-{n}")
    title = "Schéma de promotion des achats socialement et écologiquement responsables"
    period_start = 2024
    period_end = 2028
    edition = 2
    mutualised = False
    adoption_date = date(2024, 3, 21)
    status = SchemeStatus.ADOPTED
    public_url = "https://example.org/spaser"
    summary = "Acheter ce qui est vraiment nécessaire tout en servant le territoire."


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axis

    scheme = factory.SubFactory(SchemeFactory)
    code = factory.Sequence(lambda n: f"A{n}")
    title = factory.Sequence(lambda n: f"Axe d'essai {n}")
    description = "Des achats socialement responsables."
    position = factory.Sequence(lambda n: n)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    axis = factory.SubFactory(AxisFactory)
    code = factory.Sequence(lambda n: f"E{n}")
    title = factory.Sequence(lambda n: f"Engagement d'essai {n}")
    description = "Développer les clauses sociales d'insertion."
    position = factory.Sequence(lambda n: n)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    commitment = factory.SubFactory(CommitmentFactory)
    text = "Atteindre 30 % de marchés comportant une considération sociale en 2028."
    deadline = date(2028, 12, 31)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    commitment = factory.SubFactory(CommitmentFactory)
    title = factory.Sequence(lambda n: f"Action d'essai {n}")
    description = ""
    owner_direction = factory.SubFactory(
        DirectionFactory, organisation=factory.SelfAttribute("..commitment.axis.scheme.organisation")
    )
    due_date = date(2026, 6, 30)
    status = ActionStatus.IN_PROGRESS
    progress = 40


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    commitment = factory.SubFactory(CommitmentFactory)
    code = factory.Sequence(lambda n: f"I{n}")
    name = "Marchés comportant au moins une considération sociale, en nombre"
    definition = "Part des marchés notifiés dans l'année comportant au moins une considération sociale."
    unit = Unit.PERCENT
    method = "share"
    params = factory.LazyFunction(lambda: {"measure": "count", "condition": "has_social"})
    source = "DECP"
    perimeter_note = "Marchés publiés dans les DECP (40 000 € HT et plus)."
    baseline_value = Decimal("18.7")
    baseline_year = 2023


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target
        django_get_or_create = ["indicator", "year"]

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2024
    value = Decimal("20")


def build_register(**organisation_kwargs) -> SimpleNamespace:
    """A complete register and one member of each role.

    Directions: `prescribing` (roads) and `resource` (ecology). Actions: `action` owned by `prescribing`,
    `resource_action` owned by `resource`, `orphan_action` with no owner. Users: `pilot`,
    `prescribing_referent`, `resource_referent`, `committee_member`, and `outsider` (pilot of another
    organisation).
    """
    organisation = OrganisationFactory(**organisation_kwargs)
    prescribing = DirectionFactory(
        organisation=organisation,
        name="Direction de la voirie",
        short_name="DV",
        kind=DirectionKind.PRESCRIBING,
    )
    resource = DirectionFactory(
        organisation=organisation,
        name="Délégation à la transition écologique",
        short_name="DTER",
        kind=DirectionKind.RESOURCE,
    )
    scheme = SchemeFactory(
        organisation=organisation, slug=f"spaser-{organisation.slug}", title="SPASER 2024-2028"
    )
    axis = AxisFactory(scheme=scheme, code="I", title="Des achats socialement responsables")
    commitment = CommitmentFactory(axis=axis, code="I.1", title="Développer l'insertion par l'achat")
    objective = ObjectiveFactory(commitment=commitment)
    action = ActionFactory(commitment=commitment, owner_direction=prescribing, title="Former les acheteurs")
    resource_action = ActionFactory(
        commitment=commitment, owner_direction=resource, title="Conseiller les directions", progress=10
    )
    orphan_action = ActionFactory(commitment=commitment, owner_direction=None, title="Action sans pilote")
    indicator = IndicatorFactory(commitment=commitment, code="S1", owner_direction=resource)
    for year, value in [(2024, "20"), (2025, "22.5"), (2026, "25"), (2027, "27.5"), (2028, "30")]:
        TargetFactory(indicator=indicator, year=year, value=Decimal(value))

    def member(role_trait: str | None, direction=None, name: str = "") -> object:
        kwargs = {"organisation": organisation, "user__username": f"{name}-{organisation.slug}"}
        if role_trait == "committee_member":
            kwargs["committee_member"] = True
        elif role_trait:
            kwargs.update(role=getattr(Role, role_trait.upper()), direction=direction)
        return MembershipFactory(**kwargs).user

    other = OrganisationFactory()
    outsider = MembershipFactory(organisation=other, user__username=f"externe-{organisation.slug}").user
    return SimpleNamespace(
        organisation=organisation,
        prescribing=prescribing,
        resource=resource,
        scheme=scheme,
        axis=axis,
        commitment=commitment,
        objective=objective,
        action=action,
        resource_action=resource_action,
        orphan_action=orphan_action,
        indicator=indicator,
        pilot=member(None, name="pilote"),
        prescribing_referent=member("prescribing_referent", prescribing, name="ref-voirie"),
        resource_referent=member("resource_referent", resource, name="ref-ecologie"),
        committee_member=member("committee_member", name="comite"),
        outsider=outsider,
        other_organisation=other,
    )
