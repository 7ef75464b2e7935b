"""`flask forum rerender`: stored HTML made by an older sanitizer is made again from its source."""

from __future__ import annotations

from sqlalchemy import select, update

from forum.extensions import db
from forum.lib.text import render_chat, render_post
from forum.models import Category, Message, Post
from forum.services import chat, discussions
from tests.chat_helpers import world  # noqa: F401 - fixture

SOURCE = "see https://example.org/docs`<b>x</b>`"
# What the link pass made of SOURCE before links were made inside the parse (issue 15, item 14).
OLD_HTML = '<p>see <a href="https://example.org/docs%3Ccode%3E%26lt;b">x</a></p>'


def test_rerender_rewrites_only_stale_html_and_reports_counts(runner, world):  # noqa: F811
    category = Category(slug="general", name="General")
    db.session.add(category)
    db.session.commit()
    thread = discussions.create_thread(world.amina, category.id, "Links", SOURCE)
    fresh = discussions.reply(world.bruno, thread.id, "A plain reply")
    message = chat.send_message(world.amina, world.channel.id, SOURCE, "c-1")
    stale_post_id = db.session.scalar(select(Post.id).where(Post.thread_id == thread.id)
                                      .order_by(Post.id).limit(1))
    db.session.execute(update(Post).where(Post.id == stale_post_id).values(body_html=OLD_HTML))
    db.session.execute(update(Message).where(Message.id == message.id)
                       .values(body_html=OLD_HTML))
    db.session.commit()
    fresh_html = db.session.get(Post, fresh.id).body_html

    result = runner.invoke(args=["forum", "rerender", "--batch", "1"])

    assert result.exit_code == 0, result.output
    assert "posts: 1 of 2 re-rendered" in result.output
    assert "messages: 1 of 1 re-rendered" in result.output
    db.session.expire_all()
    post_html = db.session.get(Post, stale_post_id).body_html
    assert post_html == render_post(SOURCE).html
    assert "<code>" in post_html and "%3Ccode" not in post_html
    assert db.session.get(Message, message.id).body_html == render_chat(SOURCE).html
    assert db.session.get(Post, fresh.id).body_html == fresh_html
