"""Site-wide roles and the admin overview of people."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import Cohort, Role, User
from forum.services import sessions
from forum.services.access import require_admin
from forum.services.moderation import audit

ROLES = [role.value for role in Role]


@dataclass
class Dashboard:
    """Counts shown on the admin home page."""

    users: int
    admins: int
    cohorts: int


def dashboard(actor: User | None) -> Dashboard:
    """Counts of people and cohorts, for admins."""
    require_admin(actor)
    return Dashboard(
        users=db.session.scalar(select(func.count(User.id))) or 0,
        admins=db.session.scalar(
            select(func.count(User.id)).where(User.role == Role.ADMIN.value)) or 0,
        cohorts=db.session.scalar(select(func.count(Cohort.id))) or 0,
    )


def list_users(actor: User | None, query: str = "", page: int = 1) -> Pagination:
    """People matching a search (username, name or email), newest first, one page at a time."""
    require_admin(actor)
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    query = (query or "").strip().lower()
    if query:
        # Escape LIKE wildcards so "a_b" searches for an underscore, not any character.
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(
            func.lower(User.username).like(pattern, escape="\\"),
            func.lower(User.display_name).like(pattern, escape="\\"),
            User.email.like(pattern, escape="\\"),
        ))
    return db.paginate(statement, page=max(page, 1), per_page=current_app.config["PER_PAGE"],
                       error_out=False)


def set_role(actor: User | None, user_id: int, role: str) -> User:
    """Give a person a site-wide role; the last admin cannot lose theirs."""
    require_admin(actor)
    if role not in ROLES:
        raise Invalid(_("Choose member, mentor, moderator or admin."),
                      fields={"role": _("Not a valid role.")})
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    if user.role == Role.ADMIN.value and role != Role.ADMIN.value:
        # Lock the admin rows (PostgreSQL) so two admins demoting each other cannot both win.
        admin_ids = db.session.scalars(
            select(User.id).where(User.role == Role.ADMIN.value).with_for_update()).all()
        if len(admin_ids) <= 1:
            raise Invalid(_("%(name)s is the last admin. Make someone else an admin first.",
                            name=user.display_name), code="last_admin")
    previous, user.role = user.role, role
    audit.record(actor, "role_change", target_type="user", target_id=user.id,
                 details={"from": previous, "to": role})
    db.session.commit()
    # Global moderators read every cohort: live sockets must follow the new role.
    sessions.memberships_changed(user.id)
    return user
