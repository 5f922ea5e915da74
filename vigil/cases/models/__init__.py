from .case import CaseIndexPage, CasePage, CaseStatus, validate_time_zone
from .record import (
    Charge,
    Deadline,
    DetentionOrder,
    InternationalDecision,
    TimelineEvent,
    TimelineEventTranslation,
    TimelineSource,
)

__all__ = [
    "CaseIndexPage",
    "CasePage",
    "CaseStatus",
    "Charge",
    "Deadline",
    "DetentionOrder",
    "InternationalDecision",
    "TimelineEvent",
    "TimelineEventTranslation",
    "TimelineSource",
    "validate_time_zone",
]
