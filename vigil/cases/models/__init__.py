from .case import CaseIndexPage, CasePage, CaseStatus, validate_time_zone
from .record import (
    Charge,
    Deadline,
    DetentionOrder,
    InternationalDecision,
    TimelineEvent,
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
    "TimelineSource",
    "validate_time_zone",
]
