"""Logging in does the same work for a missing account as for an existing one, so response
times do not tell which addresses have accounts (production argon2 parameters here)."""

from __future__ import annotations

import statistics
import time

import pytest
from argon2 import PasswordHasher, extract_parameters

from forum.lib.passwords import hash_password
from forum.services import accounts
from tests.accounts_helpers import isolated_requests

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)

SLOW_PASSWORD = "a password hashed with production parameters"


@pytest.fixture
def app_config(app_config):
    """Real argon2 parameters (tests otherwise use cheap ones), and no login throttling."""
    return {**app_config, "ARGON2_FAST": False, "RATELIMIT_LOGIN": "1000 per minute"}


@pytest.fixture
def verified(monkeypatch) -> list:
    """The parameters of every hash argon2 verified (a spy on the library, not on our code)."""
    calls = []
    original = PasswordHasher.verify

    def spy(self, stored_hash, password):
        calls.append(extract_parameters(stored_hash))
        return original(self, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return calls


def test_missing_and_existing_accounts_verify_hashes_of_the_same_cost(client, make, verified):
    make.user("amina", password=SLOW_PASSWORD)
    attempts = [("nobody@example.org", "wrong password"),
                ("amina@example.org", "wrong password"),
                ("amina@example.org", SLOW_PASSWORD)]
    for email, password in attempts:
        client.post("/login", data={"email": email, "password": password})
    assert len(verified) == len(attempts)  # one verification per attempt, no more, no less
    today = extract_parameters(hash_password("anything"))
    assert verified == [today] * len(attempts), verified


def test_a_missing_account_takes_as_long_as_a_wrong_password(app, make):
    make.user("amina", password=SLOW_PASSWORD)

    def median_seconds(email: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert accounts.authenticate(email, "wrong password") is None
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    accounts.authenticate("warm@example.org", "up")  # the first call makes the dummy hash
    missing, existing = median_seconds("nobody@example.org"), median_seconds("amina@example.org")
    # Same work, so a ratio near 1; the generous bound keeps a loaded machine from failing it,
    # while a cheaper dummy (the old 8 KiB one: ~1/300 of the time) is far below it.
    assert missing > 0.4 * existing, (missing, existing)
