"""API for moderators: suspend and lift people, move threads.

The same services and rules as the moderation pages: a cohort facilitator restricts a person in
the cohorts they facilitate only, never lifts a global moderator's suspension (403
`global_action`), and a move that lets more people read a thread needs
`confirm_wider_audience: true` (else 409 `wider_audience`, nothing moved).
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from forum.api.auth import api_blueprint, api_user
from forum.api.schemas import ID, text
from forum.models import User
from forum.services import access
from forum.services.moderation import content, people

blp = api_blueprint("Moderation", __name__,
                    "Moderators: suspend and lift people, move threads.",
                    url_prefix="/api/v1/moderation")


class SuspendSchema(ma.Schema):
    """How long, and why (shown to the person)."""

    class Meta:
        unknown = ma.RAISE

    days = fields.Integer(load_default=0, validate=validate.Range(
        min=0, max=people.MAX_SUSPENSION_DAYS), strict=True)
    hours = fields.Integer(load_default=0, validate=validate.Range(min=0, max=23), strict=True)
    reason = text(1, 500, required=True)


class LiftSchema(ma.Schema):
    """Why the suspension or restriction is lifted (optional)."""

    class Meta:
        unknown = ma.RAISE

    reason = text(0, 500, load_default="")


class RestrictionSchema(ma.Schema):
    """A facilitator's restriction of the person in one cohort."""

    cohort_id = fields.Integer(required=True)
    until = fields.DateTime(required=True)


class PersonStatusSchema(ma.Schema):
    """A person's standing as the calling moderator may see it."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    banned = fields.Boolean(required=True)
    suspended_until = fields.DateTime(allow_none=True, required=True, metadata={
        "description": "A site-wide suspension (global moderators)"})
    restrictions = fields.List(fields.Nested(RestrictionSchema), required=True, metadata={
        "description": "Cohort restrictions (facilitators), in the caller's cohorts"})


class MoveSchema(ma.Schema):
    """Where the thread goes."""

    class Meta:
        unknown = ma.RAISE

    category_id = fields.Integer(required=True, **ID)
    reason = text(0, 500, load_default="")
    confirm_wider_audience = fields.Boolean(load_default=False, metadata={
        "description": "Required (true) when the destination lets more people read the thread"})


class MovedSchema(ma.Schema):
    """The moved thread and who can read it now."""

    id = fields.Integer(required=True)
    category_id = fields.Integer(required=True)
    audience = fields.String(required=True)
    readers = fields.Integer(required=True)


def _status(user_id: int) -> dict:
    view = people.person_view(api_user(), user_id)
    person: User = view.user
    return {"id": person.id, "username": person.username, "banned": person.banned_at is not None,
            "suspended_until": person.suspended_until if person.is_suspended() else None,
            "restrictions": [{"cohort_id": r.cohort.id, "until": r.until}
                             for r in view.restrictions]}


@blp.route("/people/<id:user_id>", methods=["GET"])
@blp.response(200, PersonStatusSchema)
def person(user_id: int):
    """A person's suspension, ban and cohort restrictions."""
    return _status(user_id)


@blp.route("/people/<id:user_id>/suspend", methods=["POST"])
@blp.arguments(SuspendSchema)
@blp.response(200, PersonStatusSchema)
def suspend(data: dict, user_id: int):
    """Suspend site-wide (global moderators) or restrict in my cohorts (facilitators)."""
    people.suspend(api_user(), user_id, data["days"], data["reason"], hours=data["hours"])
    return _status(user_id)


@blp.route("/people/<id:user_id>/lift", methods=["POST"])
@blp.arguments(LiftSchema)
@blp.response(200, PersonStatusSchema)
def lift(data: dict, user_id: int):
    """Lift what I may lift (403 `global_action` for a facilitator facing a global suspension)."""
    people.lift(api_user(), user_id, data["reason"])
    return _status(user_id)


@blp.route("/threads/<id:thread_id>/move", methods=["POST"])
@blp.arguments(MoveSchema)
@blp.response(200, MovedSchema)
def move(data: dict, thread_id: int):
    """Move a thread (409 `wider_audience` unless confirmed when more people could read it)."""
    thread = content.move_thread(api_user(), thread_id, data["category_id"], data["reason"],
                                 confirm_wider_audience=data["confirm_wider_audience"])
    category = access.access_category(api_user(), thread.category_id)
    audience = access.space_audience(category, thread.author_id)
    return {"id": thread.id, "category_id": thread.category_id, "audience": audience.text,
            "readers": audience.count}
