"""One Alembic history builds the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from forum import create_app
from forum.extensions import db
from forum.models.search import include_name


def _render_item(type_, obj, autogen_context):
    return False


def test_upgrade_to_head_matches_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # The search index is raw DDL outside the metadata (see forum/models/search.py).
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "cohorts", "cohort_memberships", "invitations"} <= tables
        db.engine.dispose()


def test_downgrade_to_base_and_back(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_0010_counts_posts_merges_doubled_unread_rows_and_finds_holds_never_announced(
        empty_database_url):
    from sqlalchemy import text

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0009_search_prefix")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO categories (id, slug, name, description, mode, "
                              "position, created_at) "
                              "VALUES (1, 'c', 'C', '', 'discussion', 0, '2026-01-01')"))
            for tid, posts in ((1, 3), (2, 0)):
                conn.execute(text("INSERT INTO threads (id, category_id, title, reply_count, "
                                  "created_at, last_activity_at, is_locked, is_pinned) VALUES "
                                  "(:t, 1, 't', 0, '2026-01-01', '2026-01-01', false, false)"),
                             {"t": tid})
                for _ in range(posts):
                    conn.execute(text("INSERT INTO posts (thread_id, depth, body_source, "
                                      "body_html, created_at) VALUES (:t, 0, 'b', 'b', "
                                      "'2026-01-01')"), {"t": tid})
            # Post 1 held by the word filter (never announced), post 2 hidden by a moderator.
            for hold_id, actor in ((1, None), (2, None)):
                conn.execute(text("INSERT INTO moderation_holds (target_type, target_id, reason, "
                                  "actor_id, created_at) VALUES ('post', :p, 'r', :a, "
                                  "'2026-01-01')"), {"p": hold_id, "a": actor})
            conn.execute(text("INSERT INTO audit_entries (actor_name, action, target_type, "
                              "target_id, reason, details, created_at) VALUES ('', "
                              "'word_hold', 'post', 1, '', '', '2026-01-01')"))
        # Two unread rows about one thread (a race before the unique index): the newer stays.
        # The user row in SQL: the model has columns later revisions add.
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (id, email, username, display_name, password_hash, role, "
                "session_version, organisation, duty_station, sponsoring_country, bio, "
                "open_to_mentoring, timezone, created_at) VALUES (1, 'a@example.org', 'amina', "
                "'Amina', 'x', 'member', 1, '', '', '', '', false, 'UTC', '2026-01-01')"))
            for n in (1, 2, 3):
                conn.execute(text(
                    "INSERT INTO notifications (id, user_id, kind, target_type, target_id, count, "
                    "subject, excerpt, detail, url, created_at, updated_at) VALUES (:n, :u, "
                    ":k, 'thread', 1, 1, '', '', '', '', '2026-01-01', '2026-01-01')"),
                    {"n": n, "u": 1, "k": "moderation" if n == 3 else "reply"})
        db.session.remove()
        upgrade()
        with db.engine.connect() as conn:
            counts = dict(conn.execute(text("SELECT id, post_count FROM threads")).all())
            announce = dict(conn.execute(text(
                "SELECT target_id, announce_on_release FROM moderation_holds")).all())
            unread = sorted(conn.execute(text(
                "SELECT id FROM notifications WHERE read_at IS NULL")).scalars())
        assert counts == {1: 3, 2: 0}
        assert announce == {1: True, 2: False}
        assert unread == [2, 3]  # the newer reply row; moderation notices never merge
        db.engine.dispose()
