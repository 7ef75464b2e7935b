"""The demo community for `flask forum seed-demo`: people, a cohort, discussions and chat."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from forum.errors import Conflict
from forum.extensions import db
from forum.models import CohortMembership, CohortRole, User, UserExpertise
from forum.services import demo_chat, demo_discussions, space_templates
from forum.services.accounts import build_user
from forum.services.cohorts import build_cohort


@dataclass
class Credential:
    """A demo account's login, printed once."""

    role: str
    username: str
    email: str
    password: str
    display_name: str


# username, display name, role, organisation, duty station, sponsoring country, expertise
PEOPLE = [
    ("admin", "Ada Admin", "admin", "Commons programme team", "Geneva", "", []),
    ("moderator", "Mateo Moderator", "moderator", "UN DESA", "New York", "Spain", []),
    ("nadia", "Nadia Okafor", "mentor", "UNICEF", "Nairobi", "Norway",
     ["child protection", "career transitions"]),
    ("henrik", "Henrik Larsen", "mentor", "UNHCR", "Amman", "Denmark",
     ["humanitarian coordination", "interviews"]),
    ("amina", "Amina Diallo", "member", "UNDP", "Dakar", "France", []),
    ("kenji", "Kenji Watanabe", "member", "WFP", "Rome", "Japan", []),
    ("sofia", "Sofía Herrera", "member", "UNFPA", "Bogotá", "Spain", []),
    ("lukas", "Lukas Meier", "member", "OHCHR", "Geneva", "Switzerland", []),
    ("chiara", "Chiara Rossi", "member", "FAO", "Bangkok", "Italy", []),
    ("eun-ji", "Eun-ji Park", "member", "UNEP", "Nairobi", "Republic of Korea", []),
    ("pieter", "Pieter de Vries", "member", "UNOPS", "Copenhagen", "Netherlands", []),
    ("fatima", "Fatima Al-Sayed", "member", "UN Women", "Beirut", "Germany", []),
]


def has_users() -> bool:
    """Whether the database already holds any account."""
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def seed_demo() -> list[Credential]:
    """Create the demo community in one commit and return the generated credentials.

    Refuses (Conflict) when any user exists, so it never mixes demo accounts into a real site.
    """
    if has_users():
        raise Conflict(_("The database already has users; the demo community is only seeded "
                         "into an empty database."))
    credentials: list[Credential] = []
    people: dict[str, list[User]] = {"admin": [], "moderator": [], "mentor": [], "member": []}
    for username, name, role, organisation, station, country, expertise in PEOPLE:
        password = secrets.token_urlsafe(12)
        user = build_user(f"{username}@demo.commons.test", username, name, password, role=role)
        user.organisation, user.duty_station, user.sponsoring_country = \
            organisation, station, country
        user.open_to_mentoring = role == "mentor"
        user.expertise = [UserExpertise(tag=tag) for tag in expertise]
        people[role].append(user)
        credentials.append(Credential(role, username, user.email, password, name))
    cohort = build_cohort(
        "JPO Orientation 2026 — Geneva", "UN JPO Programme", date(2026, 3, 9), date(2026, 3, 13),
        "Orientation week for Junior Professional Officers starting their assignments in 2026.")
    db.session.flush()
    # The demo cohort gets its spaces the way every new cohort does: from the cohort template.
    space_templates.add_cohort_spaces(cohort, space_templates.plan_spaces(cohort))
    for user in people["member"]:
        db.session.add(CohortMembership(user_id=user.id, cohort_id=cohort.id,
                                        role=CohortRole.MEMBER.value))
    for user in people["mentor"]:
        db.session.add(CohortMembership(user_id=user.id, cohort_id=cohort.id,
                                        role=CohortRole.MENTOR.value))
    db.session.flush()
    content = {"admin": people["admin"][0], "moderator": people["moderator"][0],
               "mentors": people["mentor"], "members": people["member"], "cohort": cohort}
    demo_discussions.seed(**content)
    demo_chat.seed(**content)
    db.session.commit()
    return credentials
