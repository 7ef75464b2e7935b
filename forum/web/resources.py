"""Pages: a cohort's resources and a space's resources (files shared there)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from forum.services import resources

bp = Blueprint("resources", __name__)


def _wanted() -> resources.ResourceFilter:
    args = request.args
    return resources.ResourceFilter(kind=args.get("kind") or None,
                                    person=(args.get("person") or "")[:30] or None,
                                    name=(args.get("q") or "")[:100] or None)


@bp.get("/cohorts/<slug>/files")
@login_required
def cohort(slug: str):
    """Every file shared in a cohort's spaces and chat that I may read."""
    wanted = _wanted()
    cohort, files = resources.cohort_files(current_user, slug, wanted)
    return render_template("files/resources.html", files=files, wanted=wanted,
                           heading_name=cohort.name, back_url=f"/cohorts/{cohort.slug}")


@bp.get("/c/<slug>/files")
@login_required
def space(slug: str):
    """Every file shared in one discussion space that I may read."""
    wanted = _wanted()
    category, files = resources.space_files(current_user, slug, wanted)
    return render_template("files/resources.html", files=files, wanted=wanted,
                           heading_name=category.name, back_url=f"/c/{category.slug}")
