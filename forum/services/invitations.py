"""Invitations: create and revoke codes, register through one, redeem one when logged in.

Redemption is race-safe: the use counter is claimed with one conditional UPDATE whose row count
says whether this request got a use, so two people racing for the last use cannot both win (and
the `uses <= max_uses` check constraint backs it up).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import Cohort, CohortMembership, CohortRole, Invitation, User, utcnow
from forum.services.access import require_active, require_admin
from forum.services.accounts import build_user, commit_or_invalid, normalise_email
from forum.services.cohorts import promote_for_cohort_role
from forum.services.moderation import audit
from forum.services.sessions import memberships_changed

INVITATION_ROLES = (CohortRole.MEMBER.value, CohortRole.MENTOR.value)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_USES_LIMIT = 10_000
MAX_EXPIRY_DAYS = 365


def new_code() -> str:
    """An unguessable invitation code (128 bits)."""
    return secrets.token_urlsafe(16)


def build_invitation(creator: User | None, cohort: Cohort, *, role: str = "member",
                     max_uses: int = 1, expires_in_days: int | None = None,
                     email: str | None = None, name: str | None = None) -> Invitation:
    """Add an invitation to the session without committing (callers validate and commit)."""
    invitation = Invitation(
        code=new_code(), cohort_id=cohort.id, role=role, max_uses=max_uses, uses=0,
        email=normalise_email(email) or None if email else None,
        name=(name or "").strip() or None,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
        created_by_id=creator.id if creator else None,
    )
    db.session.add(invitation)
    return invitation


def create_invitation(user: User, cohort_id: int, *, role: str = "member", max_uses: int = 1,
                      expires_in_days: int | None = None, email: str | None = None,
                      name: str | None = None) -> Invitation:
    """An admin creates an invitation code for a cohort."""
    require_admin(user)
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    errors: dict[str, str] = {}
    if role not in INVITATION_ROLES:
        errors["role"] = _("Choose member or mentor.")
    if not isinstance(max_uses, int) or not 1 <= max_uses <= MAX_USES_LIMIT:
        errors["max_uses"] = _("Between 1 and %(n)d.", n=MAX_USES_LIMIT)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = _("Between 1 and %(n)d days, or empty for no expiry.",
                                      n=MAX_EXPIRY_DAYS)
    if email and not EMAIL_RE.match(normalise_email(email)):
        errors["email"] = _("Enter a valid email address.")
    if name and len(name.strip()) > 80:
        errors["name"] = _("At most 80 characters.")
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    invitation = build_invitation(user, cohort, role=role, max_uses=max_uses,
                                  expires_in_days=expires_in_days, email=email, name=name)
    db.session.flush()
    audit.record(user, "invitation_create", target_type="invitation", target_id=invitation.id,
                 cohort_id=cohort.id, details={"role": role, "max_uses": max_uses})
    db.session.commit()
    return invitation


def revoke_invitation(user: User, cohort_id: int, invitation_id: int) -> Invitation:
    """An admin revokes an invitation; it cannot be used any more."""
    require_admin(user)
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.cohort_id == cohort_id))
    if invitation is None:
        raise NotFound()
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        audit.record(user, "invitation_revoke", target_type="invitation",
                     target_id=invitation.id, cohort_id=cohort_id)
        db.session.commit()
    return invitation


def invitation_state(invitation: Invitation) -> str:
    """"active", "revoked", "expired" or "used" (for admin lists and explanations)."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.uses >= invitation.max_uses:
        return "used"
    if invitation.expires_at is not None and invitation.expires_at <= utcnow():
        return "expired"
    return "active"


def _unusable(message: str) -> Invalid:
    return Invalid(message, fields={"code": message}, code="invitation_unusable")


def usable_invitation(code: str) -> Invitation:
    """The invitation for a code, with its cohort, or Invalid explaining why it cannot be used."""
    code = (code or "").strip()
    invitation = db.session.scalar(
        select(Invitation).options(joinedload(Invitation.cohort))
        .where(Invitation.code == code)) if code and len(code) <= 64 else None
    if invitation is None:
        raise _unusable(_("We do not know this invitation code. Please check it, or ask the "
                          "person who invited you for a new link."))
    state = invitation_state(invitation)
    if state == "revoked":
        raise _unusable(_("This invitation has been withdrawn. Please ask the programme team "
                          "for a new one."))
    if state == "used":
        raise _unusable(_("This invitation has already been used as many times as allowed. "
                          "Please ask the programme team for a new one."))
    if state == "expired":
        raise _unusable(_("This invitation has expired. Please ask the programme team for a "
                          "new one."))
    return invitation


def _claim_use(invitation: Invitation) -> None:
    """Take one use of the invitation atomically, or raise Invalid if none is left."""
    now = utcnow()
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.uses < Invitation.max_uses,
               Invitation.revoked_at.is_(None),
               or_(Invitation.expires_at.is_(None), Invitation.expires_at > now))
        .values(uses=Invitation.uses + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise _unusable(_("This invitation was just used up or withdrawn. Please ask the "
                          "programme team for a new one."))


def _join(user: User, invitation: Invitation) -> CohortMembership:
    membership = CohortMembership(user_id=user.id, cohort_id=invitation.cohort_id,
                                  role=invitation.role)
    db.session.add(membership)
    promote_for_cohort_role(user, invitation.role)
    return membership


def register_with_invitation(code: str, email: str, username: str, display_name: str,
                             password: str | None, *,
                             password_hash: str | None = None) -> tuple[User, Cohort]:
    """Create an account through an invitation: user, membership and use count in one commit."""
    invitation = usable_invitation(code)
    cohort = invitation.cohort
    if invitation.email:
        # Roster invitations are personal: the account gets the address they were sent to.
        email = invitation.email
    user = build_user(email, username, display_name, password, password_hash=password_hash)
    db.session.flush()
    _join(user, invitation)
    _claim_use(invitation)
    commit_or_invalid(_("This email or username was just taken. Please choose another."))
    memberships_changed(user.id)
    return user, cohort


@dataclass
class Redemption:
    """What redeeming a code did: the cohort, and whether the user newly joined it."""

    cohort: Cohort
    joined: bool


def redeem_invitation(user: User, code: str) -> Redemption:
    """A logged-in user joins another cohort with a code (no use is spent if already in it)."""
    require_active(user)
    invitation = usable_invitation(code)
    cohort = invitation.cohort
    already = db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.user_id == user.id, CohortMembership.cohort_id == cohort.id))
    if already:
        return Redemption(cohort, joined=False)
    if invitation.email and invitation.email != user.email:
        raise _unusable(_("This invitation was made for another email address. Please ask the "
                          "programme team for your own."))
    _join(user, invitation)
    _claim_use(invitation)
    try:
        commit_or_invalid(_("You have just joined this cohort."))
    except Invalid:
        # A double click raced us: the other request made the membership and spent the use.
        return Redemption(cohort, joined=False)
    memberships_changed(user.id)
    return Redemption(cohort, joined=True)
