"""Bulk onboarding: a roster CSV (name, email, role) becomes one personal invitation per row.

Every row is checked; bad rows are reported with their line number and reason, good rows still
go in (one commit for all of them), and each good row's person gets an email with their link.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.lib.mail import send_mail
from forum.models import Cohort, CohortMembership, User
from forum.services.access import require_admin
from forum.services.accounts import normalise_email
from forum.services.invitations import EMAIL_RE, INVITATION_ROLES, build_invitation
from forum.services.moderation import audit

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
EXPIRY_DAYS = 30


@dataclass
class RosterRow:
    """A row that passed every check."""

    line: int
    name: str
    email: str
    role: str


@dataclass
class RosterInvite:
    """A created invitation and the link sent to its person."""

    name: str
    email: str
    role: str
    link: str


@dataclass
class RosterResult:
    """What an import did: invitations created, rows refused (line, reason)."""

    cohort: Cohort
    invites: list[RosterInvite] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM spreadsheets add), else Windows-1252 as Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        message = _("The file is not readable text. Please save it as CSV (UTF-8).")
        raise Invalid(message, fields={"file": message}) from error


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[tuple[int, str]]]:
    """Split a roster file into valid rows and (line, reason) errors; Invalid if unusable."""
    if len(data) > MAX_BYTES:
        message = _("The file is larger than 1 MB. Please split it into smaller files.")
        raise Invalid(message, fields={"file": message})
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in many European locales save "CSV" with semicolons.
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as error:
        message = _("The file is not a valid CSV file.")
        raise Invalid(message, fields={"file": message}) from error
    if "name" not in header or "email" not in header:
        message = _("The first line must be the header: name,email,role")
        raise Invalid(message, fields={"file": message})
    columns = {key: header.index(key) for key in ("name", "email", "role") if key in header}

    def cell(values: list[str], key: str) -> str:
        index = columns.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    rows: list[RosterRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    count = 0
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                message = _("The file has more than %(n)d rows. Please split it.", n=MAX_ROWS)
                raise Invalid(message, fields={"file": message})
            name, email = cell(values, "name"), normalise_email(cell(values, "email"))
            role = cell(values, "role").lower() or "member"
            if not name:
                errors.append((line, _("The name is missing.")))
            elif len(name) > 80:
                errors.append((line, _("The name is longer than 80 characters.")))
            elif not EMAIL_RE.match(email) or len(email) > 254:
                errors.append((line, _("“%(email)s” is not a valid email address.",
                                       email=cell(values, "email"))))
            elif role not in INVITATION_ROLES:
                errors.append((line, _("Unknown role “%(role)s” (use member or mentor).",
                                       role=role)))
            elif email in seen:
                errors.append((line, _("%(email)s already appears on line %(n)d.",
                                       email=email, n=seen[email])))
            else:
                seen[email] = line
                rows.append(RosterRow(line, name, email, role))
    except csv.Error as error:
        message = _("The file is not a valid CSV file (line %(n)d).", n=reader.line_num)
        raise Invalid(message, fields={"file": message}) from error
    return rows, errors


def import_roster(user: User, cohort_id: int, data: bytes,
                  link_for: Callable[[str], str]) -> RosterResult:
    """An admin imports a roster: one 30-day single-use invitation per good row, mailed out.

    `link_for(code)` turns a code into the absolute /join link (the entry point knows the URL).
    """
    require_admin(user)
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    rows, errors = parse_roster(data)
    members = set(db.session.scalars(
        select(User.email).join(CohortMembership, CohortMembership.user_id == User.id)
        .where(CohortMembership.cohort_id == cohort.id,
               User.email.in_([row.email for row in rows] or [""]))))
    good: list[tuple[RosterRow, str]] = []
    for row in rows:
        if row.email in members:
            errors.append((row.line, _("%(email)s is already a member of this cohort.",
                                       email=row.email)))
            continue
        invitation = build_invitation(user, cohort, role=row.role, max_uses=1,
                                      expires_in_days=EXPIRY_DAYS, email=row.email,
                                      name=row.name)
        good.append((row, invitation.code))
    errors.sort()
    result = RosterResult(cohort, errors=errors)
    if not good:
        return result
    cohort_name = cohort.name  # read before the commit expires the objects
    audit.record(user, "roster_import", target_type="cohort", target_id=cohort.id,
                 cohort_id=cohort.id, details={"invited": len(good), "errors": len(errors)})
    db.session.commit()
    for row, code in good:
        link = link_for(code)
        result.invites.append(RosterInvite(row.name, row.email, row.role, link))
        send_mail(row.email, _("Your invitation to %(cohort)s on Commons", cohort=cohort_name),
                  _("Hello %(name)s,\n\nYou are invited to join %(cohort)s on Commons, the "
                    "community of your programme cohort and its mentors.\n\nCreate your account "
                    "here (the link works once and expires in %(days)d days):\n%(link)s\n",
                    name=row.name, cohort=cohort_name, days=EXPIRY_DAYS, link=link))
    return result
