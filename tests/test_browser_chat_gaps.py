"""The browser client fills a gap it sees in the sequence, paging until has_more is false."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import insert, select

from forum.extensions import db
from forum.models import Message
from tests import chat_helpers
from tests.live import browser_login

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


def test_a_jump_in_seq_fetches_exactly_what_is_missing_in_pages(live_server, world, new_page):
    url = f"{live_server.url}/chat/{world.channel.id}"
    amina, bruno = new_page(), new_page()
    browser_login(amina, live_server.url, "amina@example.org")
    browser_login(bruno, live_server.url, "bruno@example.org")
    amina.goto(url)
    bruno.goto(url)
    bruno.locator("#presence-list li", has_text="Amina").wait_for()
    box = bruno.get_by_role("textbox", name="Message")
    box.fill("Before the gap")
    box.press("Enter")
    amina.locator("#message-log", has_text="Before the gap").wait_for()

    # 1,200 messages whose live events never reached amina (as if a queue outage ate them).
    db.session.execute(insert(Message), [
        {"channel_id": world.channel.id, "author_id": world.bruno.id, "client_id": f"lost-{n}",
         "body_source": f"lost {n}", "body_html": f"<p>lost {n}</p>"} for n in range(1200)])
    db.session.commit()
    box.fill("After the gap")
    box.press("Enter")

    log = amina.locator("#message-log")
    log.locator("li", has_text="After the gap").wait_for()
    items = amina.locator("#message-log [data-seq]")
    deadline = time.monotonic() + 30
    while items.count() < 1202 and time.monotonic() < deadline:
        time.sleep(0.2)
    seqs = amina.eval_on_selector_all("#message-log [data-seq]",
                                      "items => items.map(i => Number(i.dataset.seq))")
    stored = list(db.session.scalars(select(Message.seq).where(
        Message.channel_id == world.channel.id).order_by(Message.seq)))
    assert seqs == stored  # every message once, in seq order: nothing lost, nothing doubled
    assert len(stored) == 1202
