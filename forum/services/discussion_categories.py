"""Administrators manage discussion categories: name, slug, description, cohort, mode, order."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import Category, CategoryMode, Cohort, User
from forum.services import access, live_access
from forum.services.accounts import commit_or_invalid

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
MODES = tuple(mode.value for mode in CategoryMode)


def list_all_categories(user: User) -> list[Category]:
    """Every category, in display order (administrators only)."""
    access.require_admin(user)
    return list(db.session.scalars(
        select(Category).options(joinedload(Category.cohort))
        .order_by(Category.cohort_id.is_not(None), Category.cohort_id, Category.position,
                  Category.name)))


def cohort_choices(user: User) -> list[tuple[int, str]]:
    """(id, name) of every cohort, for the category form."""
    access.require_admin(user)
    return [(c.id, c.name) for c in db.session.scalars(select(Cohort).order_by(Cohort.name))]


def get_category(user: User, category_id: int) -> Category:
    """A category to edit (administrators only)."""
    access.require_admin(user)
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound()
    return category


def save_category(user: User, category_id: int | None, *, name: str, slug: str,
                  description: str = "", cohort_id: int | None = None,
                  mode: str = CategoryMode.DISCUSSION.value, position: int = 0) -> Category:
    """Create (category_id None) or update a category after validating every field."""
    access.require_admin(user)
    category = get_category(user, category_id) if category_id is not None else Category()
    name, slug, description = (name or "").strip(), (slug or "").strip().lower(), \
        (description or "").strip()
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 120:
        errors["name"] = _("Enter a name (at most 120 characters).")
    if not SLUG_RE.match(slug):
        errors["slug"] = _("3-80 lower-case letters, digits and dashes.")
    elif db.session.scalar(select(Category.id).where(Category.slug == slug,
                                                     Category.id != (category_id or 0))):
        errors["slug"] = _("Another category uses this address.")
    if len(description) > 2000:
        errors["description"] = _("At most %(n)d characters.", n=2000)
    if mode not in MODES:
        errors["mode"] = _("Choose a mode.")
    if cohort_id is not None and db.session.get(Cohort, cohort_id) is None:
        errors["cohort_id"] = _("Choose a cohort.")
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    category.name, category.slug, category.description = name, slug, description
    category.cohort_id, category.mode, category.position = cohort_id, mode, position
    db.session.add(category)
    commit_or_invalid(_("Another category uses this address."))
    if category_id is not None:  # its cohort or mode may have narrowed who reads its threads
        live_access.recheck_category(category.id)
    return category
