"""The chat page in Chromium does not move after its first paint, and loads only what it shows.

Lighthouse's performance score is too noisy on a shared machine to be a test, but two of its
causes are not: layout shift (CLS, measured by the browser's own PerformanceObserver) and the
modules requested at load. The page is a busy one: two days of messages, a first-unread
divider, reactions, a thread with replies, people online, the composer connected. At phone
(390 px) and desktop (1280 px) width, with the page's scripts arriving after the first paint (as
on a slow network), its CLS stays <= 0.02 once everything that comes later (scripts, socket,
presence, connection state) has arrived; the reactions, thread panel,
dialog and uploader modules are not requested at load, and each is as soon as it is used.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import ChannelMember, Message, utcnow
from forum.services import chat, chat_reactions, chat_threads
from tests import chat_helpers
from tests.live import browser_login
from tests.uploads_helpers import png

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture

MAX_CLS = 0.02
# Loaded on first use (static/js/chat.js LAZY, chat_menu.js ui(), base.js upload()).
LAZY = ("chat_reactions.js", "chat_threads.js", "ui.js", "uploader.js")

# The layout shifts of the page so far (buffered: from the navigation on), without those
# that follow an input. Entries are delivered to the observer asynchronously: wait a little.
CLS = """() => new Promise((resolve) => {
  const shifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) shifts.push({ value: entry.value, nodes: (entry.sources || [])
        .map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : "?") });
    }
  }).observe({ type: "layout-shift", buffered: true });
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(shifts), 300)));
})"""


def _seed(world) -> tuple[Message, Message]:
    """Yesterday's conversation (read), today's (unread, grouped), reactions and a thread."""
    long_ago = utcnow() - timedelta(days=1, hours=2)
    for n in range(12):
        author = world.bruno if n % 3 else world.amina
        message = Message(channel_id=world.channel.id, author_id=author.id,
                          client_id=f"seed-{n}", body_source=f"Earlier note {n}",
                          body_html=f"<p>Earlier note {n} about housing near the duty station</p>",
                          created_at=long_ago + timedelta(minutes=7 * n))
        db.session.add(message)
        db.session.flush()
        world.channel.last_message_id = message.id
    db.session.commit()
    db.session.add(ChannelMember(channel_id=world.channel.id, user_id=world.amina.id,
                                 last_read_message_id=world.channel.last_message_id))
    db.session.commit()
    mine = chat.send_message(world.amina, world.channel.id, "Who is going to Geneva?", "t0")
    root = chat.send_message(world.bruno, world.channel.id, "Me, on Monday.", "t1")
    chat.send_message(world.bruno, world.channel.id, "With the **whole** team.", "t2")
    chat_reactions.set_reaction(world.bruno, root.id, "👍", True)
    chat_reactions.set_reaction(world.amina, root.id, "🎉", True)
    for n in range(2):
        chat_threads.send_reply(world.amina, root.id, f"Reply {n}", f"r{n}")
    return mine, root


def _open(new_page, live_server, world, width: int, height: int):
    """Amina's page of the channel at one size, with every script request recorded."""
    phone = width < 600
    page = new_page(viewport={"width": width, "height": height}, is_mobile=phone,
                    has_touch=phone)
    browser_login(page, live_server.url, "amina@example.org")
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url.rsplit("/", 1)[-1])
            if request.resource_type == "script" else None)

    def late(route) -> None:  # as on a slow network: the first paint comes before the scripts
        time.sleep(0.4)
        route.continue_()

    page.route("**/static/js/{base,chat}.js", late)
    page.goto(f"{live_server.url}/chat/{world.channel.id}")
    # Everything that arrives after the first paint: the scripts, the connection, presence.
    page.wait_for_selector("#chat[data-ready]")
    page.wait_for_selector("#composer-state.is-quiet")  # "Connected"
    page.wait_for_selector('#chat-sidebar[data-live="on"]', state="attached")  # counts resynced
    if not phone:  # presence is not shown on a phone
        page.locator("#presence-list li", has_text="amina").wait_for()
    return page, scripts


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_chat_page_does_not_move_after_its_first_paint(live_server, world, new_page,
                                                            width, height):
    _seed(world)
    page, _scripts = _open(new_page, live_server, world, width, height)
    # What the scripts add is in the page from the start (not merely added without a shift).
    assert page.locator("#message-log > .chat-day").count() >= 2  # yesterday and today
    assert page.locator(".chat-reaction-add:visible").count() > 0
    assert page.locator(".upload-pick:visible").count() == 1
    assert page.locator(".chat-thread-summary:visible").count() == 1
    shifts = page.evaluate(CLS)
    total = sum(shift["value"] for shift in shifts)
    assert total <= MAX_CLS, f"CLS {total:.3f} at {width} px: {shifts}"


def test_rarely_used_modules_load_on_first_use(live_server, world, new_page):
    mine, root = _seed(world)
    page, scripts = _open(new_page, live_server, world, 1280, 800)
    assert "chat.js" in scripts
    assert not [name for name in scripts if name in LAZY], scripts

    def loaded(name: str) -> None:
        page.wait_for_function("(name) => performance.getEntriesByType('resource')"
                               ".some((entry) => entry.name.endsWith('/' + name))", arg=name)
        assert name in scripts

    # Dialogs: the first one (editing one's own message from its menu) loads ui.js.
    message = page.locator(f"#m-{mine.id}")
    message.hover()
    message.locator(".chat-menu-button").click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    loaded("ui.js")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    # Reactions: the first click on "add reaction" loads them and opens the picker.
    page.locator(f"#m-{root.id} .chat-reaction-add").click()
    picker = page.get_by_role("dialog")
    picker.get_by_role("button", name="👍").click()
    page.locator(f"#m-{root.id} .chat-reaction[data-emoji='👍'] .chat-reaction-count",
                 has_text="2").wait_for()
    loaded("chat_reactions.js")
    assert "chat_threads.js" not in scripts and "uploader.js" not in scripts
    # The thread panel: opened from the root's summary, with its replies.
    page.locator(f"#m-{root.id} .chat-thread-open").click()
    page.locator("#thread-log .chat-message", has_text="Reply 1").wait_for()
    loaded("chat_threads.js")
    page.locator("#thread-close").click()
    page.locator("#thread-panel").wait_for(state="hidden")
    # Files: picking one loads the uploader, which uploads it into the text.
    assert "uploader.js" not in scripts
    page.locator("#chat-form input[type=file]").set_input_files(
        [{"name": "map.png", "mimeType": "image/png", "buffer": png((20, 20))}])
    page.wait_for_function("() => document.querySelector('#chat-form textarea').value"
                           ".includes('/files/')")
    loaded("uploader.js")
