"""Profiles: the public page of a person and editing one's own profile."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.lib.timezones import is_zone, resolve_zone
from forum.models import Cohort, CohortMembership, User, UserExpertise
from forum.services.access import can_read_cohort, require_active, require_login

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_BIO_LENGTH = 2000
TEXT_LIMITS = {"organisation": 120, "duty_station": 120, "sponsoring_country": 80}
EDITABLE = frozenset({"display_name", "organisation", "duty_station", "sponsoring_country",
                      "expertise", "bio", "open_to_mentoring", "language", "timezone"})


@dataclass
class ProfileCohort:
    """A cohort shown on a profile, with the person's role in it."""

    cohort: Cohort
    role: str


@dataclass
class Profile:
    """What a viewer may see of a person."""

    user: User
    expertise: list[str] = field(default_factory=list)
    cohorts: list[ProfileCohort] = field(default_factory=list)


def normalise_tags(raw: str | Iterable[str] | None) -> list[str]:
    """Comma-separated or listed tags → trimmed, lower-case, de-duplicated, in input order."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw or [])
    tags: list[str] = []
    for part in parts:
        tag = re.sub(r"\s+", " ", str(part)).strip().lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def expertise_of(user_id: int) -> list[str]:
    """A person's expertise tags, alphabetically."""
    return list(db.session.scalars(
        select(UserExpertise.tag).where(UserExpertise.user_id == user_id)
        .order_by(UserExpertise.tag)))


def get_profile(viewer: User | None, username: str) -> Profile:
    """A person's profile as the viewer may see it: only cohorts the viewer may read."""
    require_login(viewer)
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        raise NotFound()
    rows = db.session.execute(
        select(Cohort, CohortMembership.role)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == user.id)
        .order_by(Cohort.name)
    ).all()
    # Never reveal membership of a cohort the viewer cannot read: that is private too.
    cohorts = [ProfileCohort(cohort, role) for cohort, role in rows
               if can_read_cohort(viewer, cohort.id)]
    return Profile(user=user, expertise=expertise_of(user.id), cohorts=cohorts)


def _validate(fields: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "display_name" in fields:
        name = fields["display_name"]
        if not name or len(name) > 80:
            errors["display_name"] = _("Enter your name (at most 80 characters).")
    for key, limit in TEXT_LIMITS.items():
        if key in fields and len(fields[key]) > limit:
            errors[key] = _("At most %(n)d characters.", n=limit)
    if "bio" in fields and len(fields["bio"]) > MAX_BIO_LENGTH:
        errors["bio"] = _("At most %(n)d characters.", n=MAX_BIO_LENGTH)
    if "expertise" in fields:
        tags = fields["expertise"]
        if len(tags) > MAX_TAGS:
            errors["expertise"] = _("At most %(n)d tags.", n=MAX_TAGS)
        elif any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            errors["expertise"] = _("Each tag may have at most %(n)d characters.",
                                    n=MAX_TAG_LENGTH)
    if "language" in fields and fields["language"] not in current_app.config["LANGUAGES"]:
        errors["language"] = _("Choose one of the offered languages.")
    # Empty: follow the browser's zone again. Else a zone or a city name ("Geneva").
    if fields.get("timezone") and resolve_zone(fields["timezone"]) is None:
        errors["timezone"] = _("No time zone is known as “%(name)s”. Type a city such as "
                               "Geneva or Nairobi, or a zone name such as Africa/Nairobi.",
                               name=fields["timezone"])
    return errors


def edit_refusal(user: User) -> str | None:
    """Why the user may not edit their profile now (suspended or banned), or None."""
    try:
        require_active(user)
    except Forbidden as error:
        return str(error.message)
    return None


def update_profile(user: User, **fields) -> User:
    """Validate and save the given profile fields of the user's own profile, in one commit.

    A suspended account may not: a profile is text every member reads (Forbidden `suspended`).
    """
    require_active(user)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    clean = {}
    for key, value in fields.items():
        if key == "expertise":
            clean[key] = normalise_tags(value)
        elif key == "open_to_mentoring":
            clean[key] = bool(value)
        elif key == "bio":
            # Plain text: kept as typed (line breaks too), escaped when shown.
            clean[key] = (value or "").replace("\r\n", "\n").strip()
        else:
            clean[key] = (value or "").strip()
    errors = _validate(clean)
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    tags = clean.pop("expertise", None)
    zone = clean.pop("timezone", None)
    for key, value in clean.items():
        setattr(user, key, value)
    if zone is not None:
        # A named zone is the member's choice and always wins; none follows the browser.
        user.timezone_chosen = bool(zone)
        if zone:
            user.timezone = resolve_zone(zone)
    if tags is not None:
        current = set(expertise_of(user.id))
        removed = current - set(tags)
        if removed:
            db.session.execute(delete(UserExpertise).where(
                UserExpertise.user_id == user.id, UserExpertise.tag.in_(sorted(removed))))
        db.session.add_all(UserExpertise(user_id=user.id, tag=tag)
                           for tag in tags if tag not in current)
    db.session.commit()
    return user


def follow_browser_timezone(user: User, name: str | None) -> bool:
    """Use the zone the member's browser reports until they choose one; whether it changed.

    Not a profile edit (no one else sees it), so suspended members' pages follow it too.
    """
    require_login(user)
    if not is_zone(name):
        raise Invalid(_("Not a time zone."), fields={"timezone": _("Not a time zone.")})
    if user.timezone_chosen or user.timezone == name:
        return False
    user.timezone = name
    db.session.commit()
    return True
