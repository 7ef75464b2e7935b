"""All models, imported here so Alembic and `db.create_all` see every table."""

from forum.models.api_token import ApiToken, TokenScope
from forum.models.base import Base, utcnow
from forum.models.bookmark import Bookmark
from forum.models.chat import *  # noqa: F403 - filled by the chat work
from forum.models.cohort import Cohort, CohortMembership, CohortRole, CohortStatus, Invitation
from forum.models.discussion import *  # noqa: F403 - filled by the discussions work
from forum.models.login_session import LoginSession
from forum.models.moderation import *  # noqa: F403
from forum.models.notification import *  # noqa: F403
from forum.models.registration import PendingRegistration
from forum.models.search import *  # noqa: F403
from forum.models.space_template import SpaceKind, SpaceTemplate
from forum.models.upload import Upload, UploadKind
from forum.models.user import Role, User, UserExpertise
from forum.models.visit import MemberVisit

__all__ = [
    "ApiToken",
    "Base",
    "Bookmark",
    "Cohort",
    "CohortMembership",
    "CohortRole",
    "CohortStatus",
    "Invitation",
    "LoginSession",
    "MemberVisit",
    "PendingRegistration",
    "Role",
    "SpaceKind",
    "SpaceTemplate",
    "TokenScope",
    "Upload",
    "UploadKind",
    "User",
    "UserExpertise",
    "utcnow",
]
