from .advice import (
    Advice,
    AdviceStatus,
    ClauseKind,
    ClauseRecommendation,
    ReferralRule,
    ReservedKind,
)
from .project import Nature, Project, Transition
from .review import CHANGED, NeedReview, Outcome

__all__ = [
    "CHANGED",
    "Advice",
    "AdviceStatus",
    "ClauseKind",
    "ClauseRecommendation",
    "Nature",
    "NeedReview",
    "Outcome",
    "Project",
    "ReferralRule",
    "ReservedKind",
    "Transition",
]
