"""The one policy package: every permission question is answered here.

`core` covers people and cohorts; `discussions` and `chat` add fetch-or-raise helpers for their
objects (`access_thread`, `access_channel`, ...) built on the same rules; `writing` says who may
write where (archived read-only cohorts, facilitators' cohort restrictions).
"""

from forum.services.access.audience import *  # noqa: F403
from forum.services.access.chat import *  # noqa: F403
from forum.services.access.core import *  # noqa: F403
from forum.services.access.discussions import *  # noqa: F403
from forum.services.access.moderation import *  # noqa: F403
from forum.services.access.writing import *  # noqa: F403
