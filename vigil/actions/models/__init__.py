from .mailing import Delivery, Mailing, MailingStatus, Subscriber
from .petitions import (
    ActionSettings,
    ExternalPetition,
    ExternalPetitionCount,
    PetitionPage,
    Signature,
)

__all__ = [
    "ActionSettings",
    "Delivery",
    "ExternalPetition",
    "ExternalPetitionCount",
    "Mailing",
    "MailingStatus",
    "PetitionPage",
    "Signature",
    "Subscriber",
]
