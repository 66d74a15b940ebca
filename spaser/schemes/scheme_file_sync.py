"""Bring the database in line with a scheme file already read and checked by `scheme_file_reader`.

`check_against_database` finds what only the database can refuse (identifiers owned by another organisation,
a direction removed from the file but still in use). `apply` updates in place by natural keys, creates what is
new and deletes what the file no longer has; it saves only rows that changed, through the ORM, so history rows
(django-simple-history) tell who changed what. Call it inside `transaction.atomic`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from simple_history.models import HistoricalChanges

from spaser.organisations.data_stamp import one_renewal
from spaser.organisations.models import Buyer, Direction, Organisation
from spaser.schemes.models import Action, Axis, Commitment, Indicator, Objective, Scheme, Target
from spaser.schemes.scheme_file import CHANGE_REASON, Problem
from spaser.schemes.scheme_file_reader import Item


@dataclass
class ImportResult:
    scheme: Scheme
    created: bool
    axes: int = 0
    commitments: int = 0
    indicators: int = 0
    targets: int = 0
    changes: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "deleted": 0})

    def summary(self) -> str:
        verb = "créé" if self.created else "mis à jour"
        return (
            f"Schéma « {self.scheme.title} » {verb} : {self.axes} axes, {self.commitments} engagements, "
            f"{self.indicators} indicateurs, {self.targets} cibles "
            f"({self.changes['created']} créations, {self.changes['updated']} modifications, "
            f"{self.changes['deleted']} suppressions)."
        )


# --- checks that need the database -------------------------------------------------------------------------


def direction_usages(direction: Direction, scheme: Scheme | None) -> list[str]:
    """What still uses `direction`, besides this scheme's actions and indicators (the file rewrites them)."""
    usages = []
    for relation in Direction._meta.related_objects:
        model = relation.related_model
        if issubclass(model, HistoricalChanges) or relation.many_to_many:
            continue
        rows = model._default_manager.filter(**{relation.field.name: direction})
        if scheme is not None and model is Action:
            rows = rows.exclude(commitment__axis__scheme=scheme)
        if scheme is not None and model is Indicator:
            rows = rows.exclude(commitment__axis__scheme=scheme)
        count = rows.count()
        if count:
            label = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            usages.append(f"{count} {label}")
    return usages


def check_against_database(root: Item) -> list[Problem]:
    problems: list[Problem] = []
    org_item, scheme_item = root.nested["organisation"], root.nested["schema"]
    siren, org_slug = org_item.values["siren"], org_item.values["slug"]
    if not siren:
        return problems
    other = Organisation.objects.filter(slug=org_slug).exclude(siren=siren).first()
    if org_slug and other is not None:
        problems.append(
            Problem(*org_item.where("slug"), f"l'identifiant « {org_slug} » est déjà pris par {other}")
        )
    for buyer_item in org_item.children.get("acheteurs", []):
        identifier = buyer_item.values["identifier"]
        if not identifier:
            continue
        owner = Buyer.objects.filter(identifier=identifier).exclude(organisation__siren=siren).first()
        if owner is not None:
            message = f"l'acheteur {identifier} appartient déjà à l'organisation « {owner.organisation} »"
            problems.append(Problem(*buyer_item.where("identifier"), message))
    slug = scheme_item.values["slug"]
    scheme = Scheme.objects.filter(slug=slug).select_related("organisation").first() if slug else None
    if scheme is not None and scheme.organisation.siren != siren:
        message = f"le schéma « {slug} » appartient déjà à l'organisation « {scheme.organisation} »"
        problems.append(Problem(*scheme_item.where("slug"), message))
        scheme = None
    organisation = Organisation.objects.filter(siren=siren).first()
    if organisation is not None:
        kept = {item.values["slug"] for item in org_item.children.get("directions", [])}
        line = org_item.lines.get("directions", org_item.line)
        for direction in organisation.directions.exclude(slug__in=kept).order_by("slug"):
            usages = direction_usages(direction, scheme)
            if usages:
                problems.append(
                    Problem(
                        line,
                        "organisation.directions",
                        f"la direction « {direction.slug} » a disparu du fichier mais sert encore "
                        f"({', '.join(usages)}) : gardez-la dans le fichier ou retirez d'abord ces usages",
                    )
                )
    return problems


# --- writing ---------------------------------------------------------------------------------------------


class Sync:
    def __init__(self) -> None:
        self.changes = {"created": 0, "updated": 0, "deleted": 0}

    def save(self, obj: models.Model, values: dict[str, Any]) -> models.Model:
        """Assign `values`; save (with a history row) only when the row is new or something changed."""
        changed = obj.pk is None
        for attr, value in values.items():
            model_field = obj._meta.get_field(attr)
            if model_field.is_relation:
                differs = getattr(obj, model_field.attname) != (value.pk if value is not None else None)
            else:
                differs = getattr(obj, attr) != value
            if differs:
                setattr(obj, attr, value)
                changed = True
        if changed:
            self.changes["created" if obj.pk is None else "updated"] += 1
            obj._change_reason = CHANGE_REASON
            obj.save()
        return obj

    def delete(self, objects) -> None:
        for obj in objects:
            obj._change_reason = CHANGE_REASON
            obj.delete()
            self.changes["deleted"] += 1

    def apply(self, root: Item) -> ImportResult:
        with one_renewal():  # of the data stamp, once for the whole file
            return self._apply(root)

    def _apply(self, root: Item) -> ImportResult:
        org_item, scheme_item = root.nested["organisation"], root.nested["schema"]
        values = dict(org_item.values)
        organisation = Organisation.objects.filter(siren=values["siren"]).first() or Organisation()
        self.save(organisation, values)

        buyers = {buyer.identifier: buyer for buyer in organisation.buyers.all()}
        for item in org_item.children.get("acheteurs", []):
            buyer = buyers.pop(item.values["identifier"], None) or Buyer(organisation=organisation)
            self.save(buyer, item.values)
        self.delete(buyers.values())

        directions = {direction.slug: direction for direction in organisation.directions.all()}
        kept_directions = {}
        for item in org_item.children.get("directions", []):
            direction = directions.pop(item.values["slug"], None) or Direction(organisation=organisation)
            kept_directions[item.values["slug"]] = self.save(direction, item.values)

        scheme = Scheme.objects.filter(slug=scheme_item.values["slug"]).first()
        created = scheme is None
        scheme = self.save(scheme or Scheme(), {**scheme_item.values, "organisation": organisation})
        result = ImportResult(scheme=scheme, created=created, changes=self.changes)
        self.apply_axes(scheme, root.children.get("axes", []), kept_directions, result)
        self.delete(directions.values())  # no longer referenced: checked before writing
        return result

    def apply_axes(
        self, scheme: Scheme, axis_items: list[Item], directions: dict, result: ImportResult
    ) -> None:
        axes = {axis.code: axis for axis in scheme.axes.all()}
        commitments = {
            (c.axis.code, c.code): c
            for c in Commitment.objects.filter(axis__scheme=scheme).select_related("axis")
        }
        indicators: dict[str, Indicator] = {}
        stale_indicators = []
        for indicator in scheme.indicators().order_by("pk"):
            if indicator.code in indicators:
                stale_indicators.append(indicator)
            else:
                indicators[indicator.code] = indicator
        for position, axis_item in enumerate(axis_items):
            axis = axes.pop(axis_item.values["code"], None) or Axis(scheme=scheme)
            self.save(axis, {**axis_item.values, "position": position})
            result.axes += 1
            for c_position, c_item in enumerate(axis_item.children.get("engagements", [])):
                key = (axis.code, c_item.values["code"])
                commitment = commitments.pop(key, None) or Commitment(axis=axis)
                self.save(commitment, {**c_item.values, "position": c_position})
                result.commitments += 1
                self.apply_positional(commitment, Objective, c_item.children.get("objectifs", []), directions)
                self.apply_positional(commitment, Action, c_item.children.get("actions", []), directions)
                for i_position, i_item in enumerate(c_item.children.get("indicateurs", [])):
                    indicator = indicators.pop(i_item.values["code"], None) or Indicator()
                    values = {k: v for k, v in i_item.values.items() if k != "targets"}
                    values.update(
                        commitment=commitment,
                        position=i_position,
                        params=values["params"] or {},
                        owner_direction=directions.get(values["owner_direction"]),
                    )
                    self.save(indicator, values)
                    result.indicators += 1
                    result.targets += self.apply_targets(indicator, i_item.values["targets"] or {})
        self.delete([*stale_indicators, *indicators.values()])
        self.delete(commitments.values())
        self.delete(axes.values())

    def apply_positional(self, commitment: Commitment, model, items: list[Item], directions: dict) -> None:
        existing = list(model.objects.filter(commitment=commitment).order_by("position", "pk"))
        for position, item in enumerate(items):
            obj = existing.pop(0) if existing else model(commitment=commitment)
            values = {**item.values, "position": position}
            if "owner_direction" in values:
                values["owner_direction"] = directions.get(values["owner_direction"])
            self.save(obj, values)
        self.delete(existing)

    def apply_targets(self, indicator: Indicator, targets: dict) -> int:
        existing = {target.year: target for target in indicator.targets.all()}
        for year, value in targets.items():
            target = existing.pop(year, None) or Target(indicator=indicator, year=year)
            self.save(target, {"value": value})
        self.delete(existing.values())
        return len(targets)
