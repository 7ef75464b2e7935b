"""`flask forum create-cohort` and `flask forum seed-demo`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from forum.extensions import db
from forum.lib.passwords import verify_password
from forum.models import Cohort, CohortMembership, User


def test_create_cohort(runner, ctx):
    result = runner.invoke(args=[
        "forum", "create-cohort", "--name", "Career Booster 2026", "--programme", "UN JPO",
        "--starts", "2026-06-01", "--ends", "2026-06-05", "--description", "Mid-term week"])
    assert result.exit_code == 0, result.output
    cohort = db.session.scalar(select(Cohort))
    assert (cohort.name, cohort.slug, cohort.programme, cohort.starts_on, cohort.ends_on,
            cohort.description) == ("Career Booster 2026", "career-booster-2026", "UN JPO",
                                    date(2026, 6, 1), date(2026, 6, 5), "Mid-term week")
    assert "career-booster-2026" in result.output


def test_create_cohort_refuses_bad_dates(runner, ctx):
    result = runner.invoke(args=["forum", "create-cohort", "--name", "X", "--starts",
                                 "2026-06-05", "--ends", "2026-06-01"])
    assert result.exit_code != 0
    assert "The end date cannot be before the start date." in result.output
    result = runner.invoke(args=["forum", "create-cohort", "--name", "X", "--starts", "5/6/26"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_seed_demo_creates_community_and_prints_credentials_once(runner, ctx):
    result = runner.invoke(args=["forum", "seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    users = {u.username: u for u in db.session.scalars(select(User))}
    roles = sorted(u.role for u in users.values())
    assert roles.count("admin") == 1 and roles.count("moderator") == 1
    assert roles.count("mentor") == 2 and roles.count("member") == 8
    mentors = [u for u in users.values() if u.role == "mentor"]
    assert all(u.open_to_mentoring for u in mentors)
    cohort = db.session.scalar(select(Cohort))
    assert cohort.name == "JPO Orientation 2026 — Geneva"
    assert cohort.programme == "UN JPO Programme"
    in_cohort = {user_id: role for user_id, role in db.session.execute(
        select(CohortMembership.user_id, CohortMembership.role))}
    assert sorted(in_cohort.values()).count("member") == 8
    assert sorted(in_cohort.values()).count("mentor") == 2
    members = [u for u in users.values() if u.role == "member"]
    assert len({u.sponsoring_country for u in members}) >= 5
    assert len({u.duty_station for u in members}) >= 5
    # Every printed password works, and the table names every account.
    for user in users.values():
        line = next(line for line in result.output.splitlines() if user.email in line)
        password = line.split()[-1]
        assert verify_password(user.password_hash, password), user.username
    assert "shown only once" in result.output


def test_seed_demo_refuses_a_database_with_users(runner, make):
    make.user("real")
    result = runner.invoke(args=["forum", "seed-demo"])
    assert result.exit_code != 0
    assert "already has users" in result.output
    quiet = runner.invoke(args=["forum", "seed-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "not seeded" in quiet.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
