"""Registering through an invitation without telling strangers which addresses have accounts.

- A personal invitation (made for one address and mailed there) creates the account at once.
- An open invitation's form answers "check your email": the link mailed to the address creates
  the account, so nobody takes an address they cannot read.
- When the address already has an account the form gives that same answer, does the same
  work (one password hash, one mail), and the owner is mailed in their own language: someone
  tried to register with it; log in, or reset the password.
Usernames are public, so "this username is taken" is still said on the form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from forum.errors import Invalid
from forum.extensions import db
from forum.lib.mail import send_mail
from forum.lib.passwords import hash_password
from forum.models import Cohort, Invitation, PendingRegistration, User, utcnow
from forum.services import accounts, invitations
from forum.services.api_tokens import hash_token

CONFIRM_MAX_AGE = timedelta(hours=24)

__all__ = ["CONFIRM_MAX_AGE", "Registration", "confirm", "pending_registration", "register"]


@dataclass
class Registration:
    """What the form led to: an account made now, or (user None) a mail to check."""

    user: User | None = None
    cohort: Cohort | None = None


def register(code: str, email: str, username: str, display_name: str,
             password: str) -> Registration:
    """The registration form of an invitation; the answer never says whether the address
    already has an account (see the module docstring)."""
    invitation = invitations.usable_invitation(code)
    email = accounts.normalise_email(invitation.email or email)
    username = (username or "").strip()
    accounts.check_new_account(email, username, display_name, email_taken=False)
    accounts.validate_password(password)
    owner = db.session.scalar(select(User).where(User.email == email))
    if owner is not None:
        hash_password(password)  # the work a new account costs: timing tells nothing either
        if owner.is_active:
            _mail_owner(owner, invitation)
        return Registration()
    if invitation.email:
        # The invitation was mailed to this address: whoever holds it can read that mailbox.
        user, cohort = invitations.register_with_invitation(
            code, email, username, display_name, password)
        return Registration(user, cohort)
    cohort = invitation.cohort  # loaded with the invitation; the commit expires relationships
    key = secrets.token_urlsafe(32)
    db.session.execute(delete(PendingRegistration).where(
        PendingRegistration.created_at < utcnow() - CONFIRM_MAX_AGE))
    db.session.add(PendingRegistration(
        key_hash=hash_token(key), invitation_id=invitation.id, email=email, username=username,
        display_name=display_name.strip(), password_hash=hash_password(password)))
    db.session.commit()
    _mail_confirmation(email, display_name.strip(), key, cohort)
    return Registration()


def pending_registration(key: str) -> tuple[PendingRegistration, Invitation]:
    """The registration a mailed link confirms, with its still-usable invitation (and cohort).

    Invalid "bad_token" when the link is unknown, used or expired; "invitation_unusable" when
    the invitation was used up, withdrawn or expired meanwhile.
    """
    record = db.session.scalar(select(PendingRegistration).where(
        PendingRegistration.key_hash == hash_token(key or ""))) if key and len(key) < 100 else None
    if record is None or record.created_at <= utcnow() - CONFIRM_MAX_AGE:
        raise Invalid(_("This link has expired or was already used. Please register again "
                        "with your invitation."), code="bad_token")
    code = db.session.scalar(select(Invitation.code).where(
        Invitation.id == record.invitation_id))
    return record, invitations.usable_invitation(code or "")


def confirm(key: str) -> tuple[User, Cohort]:
    """Follow the mailed link: make the account and its membership, in one commit."""
    record, invitation = pending_registration(key)
    email, username, name, password_hash = (record.email, record.username,
                                            record.display_name, record.password_hash)
    db.session.delete(record)  # used once: it goes with the account, in the same commit
    try:
        return invitations.register_with_invitation(
            invitation.code, email, username, name, None, password_hash=password_hash)
    except Invalid as error:
        db.session.rollback()
        if error.code == "invitation_unusable" or not error.fields:
            raise
        # Taken meanwhile (the username by someone else, or the address by this person).
        raise Invalid(_("%(problem)s Please register again with your invitation.",
                        problem=" ".join(error.fields.values())), code="taken") from error


def _mail_confirmation(email: str, name: str, key: str, cohort: Cohort) -> None:
    """The link that makes the account (in the language the form was filled in)."""
    link = url_for("onboarding.confirm", token=key, _external=True)
    hours = int(CONFIRM_MAX_AGE.total_seconds() // 3600)
    text = _(
        "Hello %(name)s,\n\nFollow this link to confirm your email address and finish "
        "creating your Commons account in %(cohort)s:\n\n%(link)s\n\nThe link works once and "
        "expires in %(hours)d hours. If you did not ask for an account, ignore this message: "
        "nothing will be created.\n",
        name=name, cohort=cohort.name, link=link, hours=hours)
    send_mail(email, _("Confirm your email address for Commons"), text)


def _mail_owner(owner: User, invitation: Invitation) -> None:
    """Tell an account's owner that someone tried to register with their address."""
    language = owner.language if owner.language in current_app.config["LANGUAGES"] else None
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = _(
            "Hello %(name)s,\n\nSomeone tried to create a Commons account with this email "
            "address, which already has one. Nothing was changed.\n\nIf it was you, log in: "
            "%(login)s\nForgot your password? Choose a new one: %(reset)s\n\nIf it was not "
            "you, you can ignore this message.\n",
            name=owner.display_name, login=url_for("auth.login", _external=True),
            reset=url_for("passwords.forgot", _external=True))
        if invitation.email == owner.email:
            # A personal invitation for this address: it can still join the cohort.
            text += "\n" + _(
                "To join %(cohort)s, log in, then open your invitation again: %(link)s\n",
                cohort=invitation.cohort.name,
                link=url_for("onboarding.join", code=invitation.code, _external=True))
        send_mail(owner.email, _("Someone tried to register with your address"), text)
