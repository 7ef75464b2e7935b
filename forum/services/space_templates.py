"""The cohort template: the spaces a new cohort starts with, edited by administrators.

A template space is a discussion category or a chat channel whose name and address are patterns:
`{cohort}` becomes the cohort's name, `{slug}` its address and `{id}` its number, so
"{cohort} lounge" at "{slug}-lounge" gives every cohort its own lounge. The template lives in
the `space_templates` table (seeded by migration 0017); an empty table means the built-in
DEFAULT_SPACES, which is also what a database made without migrations (the tests) starts with.
Spaces are named by their place in the list (positions stay 0..n-1).
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import (
    Category,
    CategoryMode,
    Channel,
    ChannelKind,
    Cohort,
    SpaceKind,
    SpaceTemplate,
    User,
)
from forum.services.access import require_admin
from forum.services.discussion_categories import MODES, SLUG_RE

PLACEHOLDERS = ("cohort", "slug", "id")
KINDS = tuple(kind.value for kind in SpaceKind)
SLUG_MAX = 80
CATEGORY_NAME_MAX = 120
CHANNEL_NAME_MAX = 80
DESCRIPTION_MAX = 2000
MAX_SPACES = 20
_PATTERN_SLUG_CHARS = re.compile(r"^[a-z0-9{}-]+$")


@dataclass(frozen=True)
class SpaceSpec:
    """One space of the template (a row, or one of the built-in defaults)."""

    position: int
    kind: str
    name_pattern: str
    slug_pattern: str
    mode: str = CategoryMode.DISCUSSION.value
    description: str = ""

    @property
    def is_channel(self) -> bool:
        """Whether this space becomes a chat channel (else a discussion category)."""
        return self.kind == SpaceKind.CHANNEL.value


DEFAULT_SPACES = (
    SpaceSpec(0, SpaceKind.CATEGORY.value, "{cohort} lounge", "{slug}-lounge",
              CategoryMode.DISCUSSION.value,
              "The cohort's own space: only its members, mentors and facilitators read it."),
    SpaceSpec(1, SpaceKind.CATEGORY.value, "Ask a mentor", "{slug}-ask-a-mentor",
              CategoryMode.ASK_MENTOR.value,
              "Private questions: only you and the cohort's mentors see them."),
    SpaceSpec(2, SpaceKind.CHANNEL.value, "general", "c{id}-general"),
)


def _spec(row: SpaceTemplate) -> SpaceSpec:
    return SpaceSpec(row.position, row.kind, row.name_pattern, row.slug_pattern, row.mode,
                     row.description)


def _rows() -> list[SpaceTemplate]:
    return list(db.session.scalars(
        select(SpaceTemplate).order_by(SpaceTemplate.position, SpaceTemplate.id)))


def template_spaces() -> list[SpaceSpec]:
    """The template's spaces in order (the built-in defaults while the table is empty)."""
    rows = _rows()
    return [_spec(row) for row in rows] if rows else list(DEFAULT_SPACES)


def cohort_template(user: User) -> list[SpaceSpec]:
    """The template, for its editor and the new-cohort form (administrators only)."""
    require_admin(user)
    return template_spaces()


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class PlannedSpace:
    """A template space rendered for one cohort: the name and address it will get."""

    spec: SpaceSpec
    name: str
    slug: str


def _fill(pattern: str, cohort_name: str, slug: str, cohort_id: int) -> str:
    return pattern.format(cohort=cohort_name, slug=slug, id=cohort_id)


def render_space(spec: SpaceSpec, cohort_name: str, cohort_slug: str,
                 cohort_id: int) -> PlannedSpace:
    """The name and address a space gets in this cohort; long cohort addresses are shortened
    so that the space's address fits in 80 characters."""
    name_max = CHANNEL_NAME_MAX if spec.is_channel else CATEGORY_NAME_MAX
    name = _fill(spec.name_pattern, cohort_name, cohort_slug, cohort_id).strip()[:name_max]
    fixed = len(_fill(spec.slug_pattern, "", "", cohort_id))
    uses = max(1, spec.slug_pattern.count("{slug}"))
    room = max(1, (SLUG_MAX - fixed) // uses)
    slug = _fill(spec.slug_pattern, "", cohort_slug[:room].strip("-"), cohort_id)
    return PlannedSpace(spec, name, slug)


def _clash_message(planned: PlannedSpace) -> str:
    if planned.spec.is_channel:
        return _("The chat channel “%(name)s” would use the address “%(slug)s”, which another "
                 "channel already uses. Untick it, or change its address in the cohort "
                 "template.", name=planned.name, slug=planned.slug)
    return _("The category “%(name)s” would use the address “%(slug)s”, which another category "
             "already uses. Untick it, or change its address in the cohort template.",
             name=planned.name, slug=planned.slug)


def plan_spaces(cohort: Cohort, chosen: Collection[int] | None = None) -> list[PlannedSpace]:
    """The template's spaces (all, or those at the chosen positions) for this flushed cohort.

    Raises Invalid (field `spaces`) when an address is taken or invalid, before anything of
    the spaces is written.
    """
    specs = [spec for spec in template_spaces() if chosen is None or spec.position in chosen]
    planned = [render_space(spec, cohort.name, cohort.slug, cohort.id) for spec in specs]
    errors: list[str] = []
    for kind, model in ((SpaceKind.CATEGORY.value, Category), (SpaceKind.CHANNEL.value, Channel)):
        mine = [p for p in planned if p.spec.kind == kind]
        slugs = [p.slug for p in mine]
        taken = set(db.session.scalars(select(model.slug).where(model.slug.in_(slugs)))) \
            if slugs else set()
        seen: set[str] = set()
        for space in mine:
            if not SLUG_RE.match(space.slug) or len(space.name) < 2:
                errors.append(_("The space “%(name)s” of the cohort template has an unusable "
                                "name or address (%(slug)s). Untick it or fix the template.",
                                name=space.name, slug=space.slug))
            elif space.slug in taken or space.slug in seen:
                errors.append(_clash_message(space))
            seen.add(space.slug)
    if errors:
        raise Invalid(" ".join(errors), fields={"spaces": " ".join(errors)})
    return planned


def add_cohort_spaces(cohort: Cohort, planned: Iterable[PlannedSpace]) -> list[Category | Channel]:
    """Add the planned categories and channels to the session (the cohort's creator commits)."""
    made: list[Category | Channel] = []
    for order, space in enumerate(planned):
        if space.spec.is_channel:
            made.append(Channel(kind=ChannelKind.COHORT.value, cohort_id=cohort.id,
                                name=space.name, slug=space.slug))
        else:
            made.append(Category(name=space.name, slug=space.slug, cohort_id=cohort.id,
                                 mode=space.spec.mode, description=space.spec.description,
                                 position=order))
    db.session.add_all(made)
    return made


# --------------------------------------------------------------------------- editing


def _pattern_error(pattern: str) -> str | None:
    """Why a pattern is unusable: unbalanced braces or an unknown placeholder."""
    try:
        fields = [(name, spec, conv) for _text, name, spec, conv in
                  string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        return _("Unbalanced braces: write placeholders as {cohort}, {slug} or {id}.")
    if any(name not in PLACEHOLDERS or spec or conv for name, spec, conv in fields):
        return _("Use only the placeholders {cohort}, {slug} and {id}.")
    return None


def _validate(kind: str, name_pattern: str, slug_pattern: str, mode: str,
              description: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Choose a category or a chat channel.")
    name_max = CHANNEL_NAME_MAX if kind == SpaceKind.CHANNEL.value else CATEGORY_NAME_MAX
    if not 2 <= len(name_pattern) <= name_max:
        errors["name_pattern"] = _("Enter a name of 2 to %(n)d characters.", n=name_max)
    elif problem := _pattern_error(name_pattern):
        errors["name_pattern"] = problem
    if problem := _pattern_error(slug_pattern):
        errors["slug_pattern"] = problem
    elif "{slug}" not in slug_pattern and "{id}" not in slug_pattern:
        errors["slug_pattern"] = _("Include {slug} or {id}, so that every cohort gets its own "
                                   "address.")
    elif not _PATTERN_SLUG_CHARS.match(slug_pattern) or not SLUG_RE.match(
            _fill(slug_pattern, "", "cohort", 1)) or len(slug_pattern) > SLUG_MAX:
        errors["slug_pattern"] = _("Lower-case letters, digits, dashes and placeholders only.")
    if kind != SpaceKind.CHANNEL.value and mode not in MODES:
        errors["mode"] = _("Choose a mode.")
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("At most %(n)d characters.", n=DESCRIPTION_MAX)
    return errors


def _editable_rows() -> list[SpaceTemplate]:
    """The template's rows, writing the built-in defaults first if it was never edited."""
    rows = _rows()
    if not rows:
        rows = [SpaceTemplate(position=s.position, kind=s.kind, name_pattern=s.name_pattern,
                              slug_pattern=s.slug_pattern, mode=s.mode,
                              description=s.description) for s in DEFAULT_SPACES]
        db.session.add_all(rows)
        db.session.flush()
    return rows


def _renumber(rows: list[SpaceTemplate]) -> None:
    for position, row in enumerate(rows):
        row.position = position


def save_space(user: User, position: int | None, *, kind: str, name_pattern: str,
               slug_pattern: str, mode: str = CategoryMode.DISCUSSION.value,
               description: str = "") -> SpaceSpec:
    """Add a space at the end (position None) or change the one at `position`."""
    require_admin(user)
    kind = (kind or "").strip()
    name_pattern, slug_pattern = (name_pattern or "").strip(), (slug_pattern or "").strip().lower()
    description = (description or "").strip()
    mode = (mode or "").strip() if kind != SpaceKind.CHANNEL.value else \
        CategoryMode.DISCUSSION.value
    rows = _editable_rows()
    if position is not None and not 0 <= position < len(rows):
        raise NotFound()
    errors = _validate(kind, name_pattern, slug_pattern, mode, description)
    if not errors:
        others = [r for r in rows if r.position != position and r.kind == kind]
        sample = _fill(slug_pattern, "", "cohort", 1)
        if any(_fill(r.slug_pattern, "", "cohort", 1) == sample for r in others):
            errors["slug_pattern"] = _("Another space of the template has this address.")
    if position is None and len(rows) >= MAX_SPACES:
        errors.setdefault("name_pattern", _("A template has at most %(n)d spaces.",
                                            n=MAX_SPACES))
    if errors:
        db.session.rollback()
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    row = rows[position] if position is not None else SpaceTemplate(position=len(rows))
    row.kind, row.name_pattern, row.slug_pattern = kind, name_pattern, slug_pattern
    row.mode, row.description = mode, description
    db.session.add(row)
    db.session.commit()
    return _spec(row)


def move_space(user: User, position: int, offset: int) -> None:
    """Move a space up (offset -1) or down (+1) in the list; at an end nothing changes."""
    require_admin(user)
    rows = _editable_rows()
    if not 0 <= position < len(rows):
        raise NotFound()
    target = position + (1 if offset > 0 else -1)
    if 0 <= target < len(rows):
        rows[position], rows[target] = rows[target], rows[position]
        _renumber(rows)
    db.session.commit()


def remove_space(user: User, position: int) -> SpaceSpec:
    """Remove a space from the template; the last one stays (untick spaces when creating)."""
    require_admin(user)
    rows = _editable_rows()
    if not 0 <= position < len(rows):
        raise NotFound()
    if len(rows) == 1:
        db.session.rollback()
        raise Invalid(_("The template keeps at least one space. To create a cohort without "
                        "spaces, untick them on the new-cohort form."))
    removed = rows.pop(position)
    spec = _spec(removed)
    db.session.delete(removed)
    _renumber(rows)
    db.session.commit()
    return spec
