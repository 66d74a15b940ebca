from .attribution import AttributionRule
from .contract import (
    AttributionSource,
    Contract,
    ContractKind,
    ContractOrigin,
    ContractQuerySet,
    ContractSupplier,
    ReservedArticle,
)
from .imports import ImportBatch, ImportKind, ImportStatus, QuarantinedRecord, QuarantineStatus

__all__ = [
    "AttributionRule",
    "AttributionSource",
    "Contract",
    "ContractKind",
    "ContractOrigin",
    "ContractQuerySet",
    "ContractSupplier",
    "ImportBatch",
    "ImportKind",
    "ImportStatus",
    "QuarantineStatus",
    "QuarantinedRecord",
    "ReservedArticle",
]
