"""API: my profile, other people's profiles, my cohorts and a cohort's people."""

from __future__ import annotations

from forum.api.auth import api_blueprint, api_user
from forum.api.present import cohort_brief, user_brief
from forum.api.schemas import (
    CohortDetailSchema,
    MeSchema,
    MyCohortSchema,
    ProfileSchema,
    ProfileUpdateSchema,
)
from forum.services import cohorts, profiles

blp = api_blueprint("People", __name__, "Me, profiles and cohorts.")


def _profile(profile: profiles.Profile, *, own: bool = False) -> dict:
    user = profile.user
    body = {
        **user_brief(user), "role": user.role, "organisation": user.organisation,
        "duty_station": user.duty_station, "sponsoring_country": user.sponsoring_country,
        "bio": user.bio, "open_to_mentoring": user.open_to_mentoring,
        "expertise": profile.expertise,
        "cohorts": [cohort_brief(c.cohort, role=c.role) for c in profile.cohorts],
    }
    if own:
        body.update(email=user.email, language=user.language, timezone=user.timezone,
                    suspended_until=user.suspended_until)
    return body


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me():
    """My own profile."""
    user = api_user()
    return _profile(profiles.get_profile(user, user.username), own=True)


@blp.route("/me", methods=["PATCH"])
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, MeSchema)
def update_me(changes: dict):
    """Change fields of my profile (absent fields stay as they are)."""
    user = profiles.update_profile(api_user(), **changes)
    return _profile(profiles.get_profile(user, user.username), own=True)


@blp.route("/users/<string(maxlength=30):username>", methods=["GET"])
@blp.response(200, ProfileSchema)
def profile(username: str):
    """A person's profile (cohorts listed only where I may read them)."""
    return _profile(profiles.get_profile(api_user(), username))


@blp.route("/cohorts", methods=["GET"])
@blp.response(200, MyCohortSchema(many=True))
def my_cohorts():
    """The cohorts I belong to, with my role."""
    return [cohort_brief(c.cohort, role=c.role) for c in cohorts.my_cohorts(api_user())]


@blp.route("/cohorts/<string(maxlength=80):slug>", methods=["GET"])
@blp.response(200, CohortDetailSchema)
def cohort(slug: str):
    """A cohort and its people; other cohorts are 404."""
    page = cohorts.cohort_page(api_user(), slug)
    return cohort_brief(
        page.cohort, description=page.cohort.description, my_role=page.viewer_role,
        facilitators=[user_brief(u) for u in page.facilitators],
        mentors=[user_brief(u) for u in page.mentors],
        members=[user_brief(u) for u in page.members])
