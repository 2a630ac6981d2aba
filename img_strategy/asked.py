"""What a question says beyond the user's profile facts: the specialties it compares, the
Match a plan should aim at and, for a question the guidance does not cover, what kind it is
(which decides who to ask)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Uncovered(str, Enum):
    """Kinds of question the guidance does not answer, by who does answer them."""

    FEES = "fees"  # ERAS, NRMP and USMLE fees
    IMMIGRATION = "immigration"  # family visas, green cards, waivers beyond J-1 vs H-1B
    ECFMG = "ecfmg"  # certification, Pathways, exam registration, documents
    MATCH_RULES = "match_rules"  # rank lists, the algorithm, SOAP, Match commitments
    PROGRAM = "program"  # salary, benefits, a program's own requirements or lists
    LICENSING = "licensing"  # state medical licences
    OTHER = "other"  # anything else


@dataclass(frozen=True)
class Asked:
    """What a question said beyond the user's profile: the specialties it names (for a
    comparison), the Match year it names (for a plan: "plan for the 2029 match") and, for an
    uncovered question, what kind it is."""

    specialties: tuple[str, ...] = ()
    uncovered: Uncovered = Uncovered.OTHER
    match_year: int | None = None
