"""API for administrators: cohorts, their memberships, invitations and roster imports.

The services check that the caller is an administrator (403 otherwise).
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from forum.api.auth import api_blueprint, api_user
from forum.api.present import cohort_brief, invitation_dict, user_brief
from forum.api.schemas import (
    CohortAdminDetailSchema,
    CohortAdminSchema,
    CohortPatchSchema,
    CohortWriteSchema,
    InvitationCreateSchema,
    InvitationSchema,
    MemberAddSchema,
    MemberRoleSchema,
    MembershipSchema,
    RosterResultSchema,
    RosterUploadSchema,
)
from forum.errors import Invalid
from forum.services import cohorts, invitations, roster

blp = api_blueprint("Admin", __name__,
                    "Administrators: cohorts, memberships, invitations, rosters.",
                    url_prefix="/api/v1/admin")


def _link(code: str) -> str:
    return url_for("onboarding.join", code=code, _external=True)


def _invitation(invitation) -> dict:
    return invitation_dict(invitation, invitations.invitation_state(invitation),
                           _link(invitation.code))


def _membership(membership) -> dict:
    return {"id": membership.id, "user": user_brief(membership.user), "role": membership.role,
            "joined_at": membership.joined_at}


def _detail(cohort_id: int) -> dict:
    view = cohorts.cohort_admin_view(api_user(), cohort_id)
    cohort = view.cohort
    return cohort_brief(cohort, description=cohort.description,
                        member_count=len(view.memberships),
                        memberships=[_membership(m) for m in view.memberships],
                        invitations=[_invitation(i) for i in view.invitations])


@blp.route("/cohorts", methods=["GET"])
@blp.response(200, CohortAdminSchema(many=True))
def list_cohorts():
    """Every cohort with its head count."""
    return [cohort_brief(s.cohort, description=s.cohort.description, member_count=s.member_count)
            for s in cohorts.list_cohorts(api_user())]


@blp.route("/cohorts", methods=["POST"])
@blp.arguments(CohortWriteSchema)
@blp.response(201, CohortAdminDetailSchema)
def create_cohort(data: dict):
    """Create a cohort with the spaces of the cohort template (categories, chat channel)."""
    cohort = cohorts.create_cohort(api_user(), data["name"], data["programme"],
                                   data["starts_on"], data["ends_on"], data["description"])
    return _detail(cohort.id)


@blp.route("/cohorts/<id:cohort_id>", methods=["GET"])
@blp.response(200, CohortAdminDetailSchema)
def cohort(cohort_id: int):
    """A cohort with its memberships and invitations."""
    return _detail(cohort_id)


@blp.route("/cohorts/<id:cohort_id>", methods=["PATCH"])
@blp.arguments(CohortPatchSchema)
@blp.response(200, CohortAdminDetailSchema)
def update_cohort(data: dict, cohort_id: int):
    """Change a cohort's fields; `archived: true` makes it an alumni cohort, `read_only: true`
    (with archived) makes its spaces and channels read-only for everyone but its moderators."""
    user = api_user()
    current = cohorts.cohort_admin_view(user, cohort_id).cohort
    fields = {key: data.get(key, getattr(current, key))
              for key in ("name", "programme", "starts_on", "ends_on", "description")}
    lifecycle = {"archived", "read_only"}
    if set(data) - lifecycle:
        cohorts.update_cohort(user, cohort_id, **fields)
    if set(data) & lifecycle:
        archived = data.get("archived", current.is_archived)
        # Archiving again without saying keeps the current choice; reactivating clears it.
        read_only = data.get("read_only", current.read_only and archived)
        cohorts.set_cohort_status(user, cohort_id, archived, read_only)
    return _detail(cohort_id)


@blp.route("/cohorts/<id:cohort_id>/members", methods=["POST"])
@blp.arguments(MemberAddSchema)
@blp.response(201, MembershipSchema)
def add_member(data: dict, cohort_id: int):
    """Add an existing person (username or email) to the cohort."""
    person = cohorts.add_member(api_user(), cohort_id, data["identifier"], data["role"])
    view = cohorts.cohort_admin_view(api_user(), cohort_id)
    return _membership(next(m for m in view.memberships if m.user_id == person.id))


@blp.route("/cohorts/<id:cohort_id>/members/<id:membership_id>", methods=["PATCH"])
@blp.arguments(MemberRoleSchema)
@blp.response(200, MembershipSchema)
def change_role(data: dict, cohort_id: int, membership_id: int):
    """Change someone's role in the cohort."""
    return _membership(cohorts.change_member_role(api_user(), cohort_id, membership_id,
                                                  data["role"]))


@blp.route("/cohorts/<id:cohort_id>/members/<id:membership_id>", methods=["DELETE"])
@blp.response(204)
def remove_member(cohort_id: int, membership_id: int):
    """Remove someone from the cohort (their live sockets lose its rooms at once)."""
    cohorts.remove_member(api_user(), cohort_id, membership_id)


@blp.route("/cohorts/<id:cohort_id>/invitations", methods=["POST"])
@blp.arguments(InvitationCreateSchema)
@blp.response(201, InvitationSchema)
def create_invitation(data: dict, cohort_id: int):
    """Create an invitation code; share its `link`."""
    return _invitation(invitations.create_invitation(api_user(), cohort_id, **data))


@blp.route("/cohorts/<id:cohort_id>/invitations/<id:invitation_id>", methods=["DELETE"])
@blp.response(200, InvitationSchema)
def revoke_invitation(cohort_id: int, invitation_id: int):
    """Withdraw an invitation."""
    return _invitation(invitations.revoke_invitation(api_user(), cohort_id, invitation_id))


@blp.route("/cohorts/<id:cohort_id>/roster", methods=["POST"])
@blp.arguments(RosterUploadSchema, location="files")
@blp.response(200, RosterResultSchema)
def import_roster(files: dict, cohort_id: int):
    """Import a roster CSV: one mailed single-use invitation per good row, errors per line."""
    upload = request.files.get("file")
    if upload is None:
        message = _("Attach the roster CSV as the multipart field `file`.")
        raise Invalid(message, fields={"file": message})
    data = upload.read(roster.MAX_BYTES + 1)
    result = roster.import_roster(api_user(), cohort_id, data, _link)
    return {"invited": [{"name": i.name, "email": i.email, "role": i.role}
                        for i in result.invites],
            "errors": [{"line": line, "reason": reason} for line, reason in result.errors]}
