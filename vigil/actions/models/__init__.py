from .mailing import Delivery, Mailing, MailingStatus, Subscriber
from .outbox import ConsumedStamp, OutgoingKind, OutgoingMail
from .petitions import (
    ActionSettings,
    ExternalPetition,
    ExternalPetitionCount,
    PetitionPage,
    Signature,
)

__all__ = [
    "ActionSettings",
    "ConsumedStamp",
    "Delivery",
    "ExternalPetition",
    "ExternalPetitionCount",
    "Mailing",
    "MailingStatus",
    "OutgoingKind",
    "OutgoingMail",
    "PetitionPage",
    "Signature",
    "Subscriber",
]
