"""`flask db upgrade` (what `make run` does) builds a working search index, and indexes the rows
that were there before the migration ran."""

from __future__ import annotations

from types import SimpleNamespace

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from forum import create_app
from forum.extensions import db
from forum.lib.text import render_post
from forum.models import Category, Post, User, utcnow
from forum.services.search import search


def _add_thread(author: User, category: Category, title: str, body: str) -> Post:
    # Written in SQL with the columns every revision has: the Thread model is the newest one.
    thread_id = db.session.execute(text(
        "INSERT INTO threads (category_id, author_id, title, reply_count, created_at, "
        "last_activity_at, is_locked, is_pinned) VALUES (:c, :a, :t, 0, :now, :now, false, "
        "false) RETURNING id"), {"c": category.id, "a": author.id, "t": title,
                                  "now": utcnow()}).scalar_one()
    post = Post(thread_id=thread_id, author_id=author.id, body_source=body,
                body_html=render_post(body).html)
    db.session.add(post)
    db.session.commit()
    return post


def test_upgrade_installs_a_live_index(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.test_request_context("/"):
        upgrade(revision="0005_notifications")
        # In SQL with the columns of that revision: the User model is the newest one.
        user_id = db.session.execute(text(
            "INSERT INTO users (email, username, display_name, password_hash, role, "
            "session_version, organisation, duty_station, sponsoring_country, bio, "
            "open_to_mentoring, timezone, created_at) VALUES ('a@example.org', 'amina', "
            "'Amina', 'x', 'member', 1, '', '', '', '', false, 'UTC', :now) RETURNING id"),
            {"now": utcnow()}).scalar_one()
        category = Category(slug="general", name="General")
        db.session.add(category)
        db.session.commit()
        author = SimpleNamespace(id=user_id)
        before = _add_thread(author, category, "Before the upgrade", "Old text about résumés")
        category_id, before_id = category.id, before.id
        db.session.remove()

        upgrade()  # to head, through 0006_search and whatever follows it
        user = db.session.get(User, user_id)
        assert [h.id for h in search(user, "resume").hits] == [before_id]
        after = _add_thread(user, db.session.get(Category, category_id), "After the upgrade",
                            "New text about pensions")
        assert [h.id for h in search(user, "pension").hits] == [after.id]
        after.body_source = "Edited text about insurance"
        db.session.commit()
        assert search(user, "pension").hits == []
        assert [h.id for h in search(user, "insurance").hits] == [after.id]

        # 0009 rebuilt SQLite's FTS5 tables with prefix indexes: both ways, the index keeps
        # its rows and its triggers (PostgreSQL's index is the same on both sides).
        after_id = after.id
        db.session.remove()
        downgrade(revision="0008_performance")
        # Not loaded from the table: the User model has columns of later revisions.
        user = User(id=user_id, email="a@example.org", username="amina", display_name="Amina",
                    password_hash="x", role="member")
        assert [h.id for h in search(user, "insu").hits] == [after_id]
        _add_thread(user, db.session.get(Category, category_id), "Between", "Text about visas")
        db.session.remove()
        upgrade()
        user = db.session.get(User, user_id)
        assert [h.id for h in search(user, "insu").hits] == [after_id]
        assert [h.kind for h in search(user, "visa").hits] == ["post"]
        assert [h.id for h in search(user, "res").hits] == [before_id]

        db.session.remove()
        downgrade(revision="0005_notifications")
        names = set(inspect(db.engine).get_table_names())
        assert not {n for n in names if n.startswith("fts_")}
        index_names = {i["name"] for i in inspect(db.engine).get_indexes("posts")}
        assert not {n for n in index_names if n and n.startswith("fts_")}
        db.engine.dispose()
