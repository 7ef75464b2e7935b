"""Schemathesis against the live OpenAPI document, with every check, as an anonymous client, a
member and an administrator: no failures and no server errors.

Generation is derandomized (a fixed seed per operation) and bounded, so CI sees the same cases
every run and the whole run stays within a few minutes on two cores.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from forum.extensions import db
from forum.models import Channel, ChannelKind
from forum.services import chat, discussions
from tests.api_helpers import token_for
from tests.discussions_helpers import world  # noqa: F401 - fixture

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "6"))

CONFIG = {
    "checks": {
        # Valid-looking input may still break a rule a schema cannot state (an end date before
        # the start date, a username that does not exist, a title of spaces): such requests get
        # 422 with field messages. Server errors are never acceptable.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]},
    },
}


@pytest.fixture
def app_config(app_config):
    """Limits high enough that the generated traffic measures behaviour, not throttling."""
    return {**app_config, "RATELIMIT_API": "100000 per minute",
            "RATELIMIT_POSTING": "100000 per minute", "CHAT_RATE_LIMIT": (100000, 1),
            "MODERATION_NEW_MEMBER_DAYS": 0}


@pytest.fixture
def seeded(app, world, make):  # noqa: F811
    """Content with small ids, so generated ids hit real (and foreign) objects."""
    channel = Channel(kind=ChannelKind.COHORT.value, cohort_id=world.cohort_a.id,
                      name="general", slug="a-general")
    db.session.add(channel)
    db.session.commit()
    thread = discussions.create_thread(world.amina, world.qa_a.id, "Seed thread", "Seed body")
    discussions.reply(world.bilal, thread.id, "A seed reply")
    discussions.create_thread(world.carla, world.lounge_b.id, "Bravo only", "Private")
    chat.send_message(world.amina, channel.id, "Seed message", "seed-1")
    admin = make.user("root", role="admin")
    return {"member": token_for(world.amina), "admin": token_for(admin), "anonymous": None}


def _run_all_operations(app, token: str | None) -> list[str]:
    load_all_checks()
    checks = list(CHECKS.get_all())
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=SchemathesisConfig.from_dict(CONFIG))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(case=strategy)
        def run(case) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report them all
            problems.append(f"{operation.label}: {error}")
    return problems


@pytest.mark.parametrize("role", ["anonymous", "member", "admin"])
def test_schemathesis_all_checks(app, seeded, role):
    problems = _run_all_operations(app, seeded[role])
    assert not problems, "\n\n".join(problems)
