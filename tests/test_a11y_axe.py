"""axe-core finds no WCAG 2.x A/AA (or best-practice) violation on any page type.

Every GET page of the app is visited in Chromium — logged out and logged in (as an admin, who
sees every page), in English and in Arabic, in the light and then the dark theme (contrast
rules) — and axe-core (node_modules, from package-lock.json) is run on it. The page list
comes from the app's URL map, so pages added later are checked too: a new endpoint with URL
arguments needs a sample in SAMPLES (or a reason in NOT_PAGES), else the test fails and
names it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import current_app, url_for
from sqlalchemy import select, update

from forum import create_app
from forum.extensions import db
from forum.lib.passwords import hash_password
from forum.models import Category, Channel, Cohort, Post, Thread, User
from forum.models.search import install_search_index
from forum.services import accounts, bookmarks, discussions, invitations
from forum.services.demo import seed_demo
from tests import factories
from tests.live import LiveServer, browser_login
from tests.support import require

pytestmark = [pytest.mark.live, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DARK_RULES = ["color-contrast", "link-in-text-block"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# GET endpoints that are not HTML pages (JSON, files, health); /api/v1/* JSON is skipped by rule.
NOT_PAGES = {
    "static": "files",
    "main.healthz": "JSON health check",
    "main.js_catalogue": "JavaScript module",
    "api-docs.openapi_json": "OpenAPI JSON",
    "files.file": "uploaded files (pictures, documents)",
    "files.avatar": "members' pictures",
}


@dataclass(frozen=True)
class Site:
    """The ids and secrets that page URLs need (plain values: usable outside the session)."""

    admin_id: int
    admin_email: str
    member_id: int
    member_username: str
    thread_id: int
    reply_id: int
    category_id: int
    category_slug: str
    channel_id: int
    cohort_id: int
    cohort_slug: str
    invitation_code: str
    reset_token: str
    unsubscribe_token: str


# endpoint -> URL arguments for a page that exists and that the admin may see.
SAMPLES: dict[str, Callable[[Site], dict]] = {
    "discussions.edit_category": lambda s: {"category_id": s.category_id},
    "admin_cohorts.detail": lambda s: {"cohort_id": s.cohort_id},
    "admin_cohorts.edit": lambda s: {"cohort_id": s.cohort_id},
    "discussions.category": lambda s: {"slug": s.category_slug},
    "discussions.new_thread": lambda s: {"slug": s.category_slug},
    "discussions.thread": lambda s: {"thread_id": s.thread_id},
    "discussions.permalink": lambda s: {"post_id": s.reply_id},
    "discussions.edit": lambda s: {"post_id": s.reply_id},
    "discussions.history": lambda s: {"post_id": s.reply_id},
    "chat.channel": lambda s: {"channel_id": s.channel_id},
    "chat.to_thread": lambda s: {"channel_id": s.channel_id,
                                 "from": _first_message_id(s.channel_id)},
    "cohorts.show": lambda s: {"slug": s.cohort_slug},
    "resources.cohort": lambda s: {"slug": s.cohort_slug},
    "resources.space": lambda s: {"slug": s.category_slug},
    "profile.show": lambda s: {"username": s.member_username},
    "onboarding.join": lambda s: {"code": s.invitation_code},
    "passwords.reset": lambda s: {"token": s.reset_token},
    "moderation.flag": lambda s: {"target_type": "post", "target_id": s.reply_id},
    "moderation.person": lambda s: {"user_id": s.member_id},
    "moderation.edit_post": lambda s: {"post_id": s.reply_id},
    "moderation.move": lambda s: {"thread_id": s.thread_id},
    "notifications.unsubscribe": lambda s: {"token": s.unsubscribe_token},
}


def _first_message_id(channel_id: int) -> int | None:
    """A message of the channel (the chat-to-thread page starts from one)."""
    from forum.models import Message

    return db.session.scalar(select(Message.id).where(Message.channel_id == channel_id)
                             .order_by(Message.id))


@pytest.fixture(scope="module")
def served(tmp_path_factory, browser):
    """The demo community on one SQLite database and a live server, shared by this module.

    Markup and colours do not depend on the database engine, so these browser checks run
    once, not once per backend: their cost is Chromium and axe, not SQL.
    """
    folder = tmp_path_factory.mktemp("a11y")
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'a11y.db'}",
        "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        "SOCKETIO_CHANNEL": f"commons-a11y-{os.getpid()}",
        "REDIS_KEY_PREFIX": f"commons-a11y:{os.getpid()}:",
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            install_search_index(conn)
        site = build_site()
        with app.test_request_context():
            paths = page_paths(site)
        server = LiveServer({**config, "LOG_DIR": str(folder)}).start(timeout=90)
        try:
            yield app, site, paths, server
        finally:
            server.stop()
            db.session.remove()
            db.engine.dispose()


def build_site() -> Site:
    """Seed the demo community, edit one reply (for the history page), make an invitation."""
    credentials = seed_demo()
    by_role = {c.role: c for c in reversed(credentials)}
    admin = db.session.scalar(select(User).where(User.username == by_role["admin"].username))
    member = db.session.scalar(select(User).where(User.username == by_role["member"].username))
    admin.password_hash = member.password_hash = hash_password(factories.PASSWORD)
    db.session.commit()
    reply = db.session.scalar(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.id != Thread.first_post_id, Post.author_id.is_not(None))
        .order_by(Post.id))
    author = db.session.get(User, reply.author_id)
    discussions.edit_post(author, reply.id, "An edited reply, for the history page.")
    bookmarks.set_bookmark(admin, reply.id)  # the bookmarks page lists one
    thread = db.session.get(Thread, reply.thread_id)
    category = db.session.get(Category, thread.category_id)
    channel = db.session.scalar(select(Channel).order_by(Channel.id))
    cohort = db.session.scalar(select(Cohort).order_by(Cohort.id))
    code = invitations.create_invitation(admin, cohort.id, max_uses=5, expires_in_days=7).code
    return Site(
        admin_id=admin.id, admin_email=admin.email, member_id=member.id,
        member_username=member.username, thread_id=thread.id, reply_id=reply.id,
        category_id=category.id, category_slug=category.slug, channel_id=channel.id,
        cohort_id=cohort.id, cohort_slug=cohort.slug, invitation_code=code,
        reset_token=accounts.password_reset_token(member),
        unsubscribe_token=_unsubscribe_token(member.id))


def _unsubscribe_token(user_id: int) -> str:
    from forum.services.notifications import mailing

    return mailing.unsubscribe_token(user_id, "digest")


def page_paths(site: Site) -> list[str]:
    """One URL per GET page of the app; fails naming any page without a sample."""
    paths, unknown = [], []
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith("/api/") and rule.endpoint != "api.reference":
            continue  # JSON resources; the API's HTML reference page is checked
        if rule.arguments:
            if rule.endpoint not in SAMPLES:
                unknown.append(f"{rule.endpoint} {rule.rule}")
                continue
            values = SAMPLES[rule.endpoint](site)
        else:
            values = {}
        paths.append(url_for(rule.endpoint, **values))
    assert not unknown, ("GET pages without sample URL arguments; add them to SAMPLES in "
                         "tests/test_a11y_axe.py (or to NOT_PAGES if not HTML):\n"
                         + "\n".join(unknown))
    # The home page's second tab, and the 404 page.
    return [*paths, "/?tab=unread", "/no-such-page"]


def _axe_script() -> str:
    require(AXE.exists(), "axe-core is not installed: run `npm ci` (make test does)")
    return AXE.read_text()


def run_axe(page, rules: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the loaded page (all our tags, or just `rules`)."""
    options = ({"runOnly": {"type": "rule", "values": rules}} if rules
               else {"runOnly": {"type": "tag", "values": AXE_TAGS}})
    result = page.evaluate("options => axe.run(document, options)", options)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:3]],
             "summary": v["nodes"][0].get("failureSummary", "")[:300]}
            for v in result["violations"]]


def _login(page, base: str, email: str, password: str) -> None:
    browser_login(page, base, email, password)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "admin"])
def test_no_axe_violations_on_any_page(served, new_page, language, logged_in):
    app, site, paths, server = served
    axe = _axe_script()
    if logged_in:
        with app.app_context():
            # A member's own language choice beats the browser's Accept-Language.
            db.session.execute(update(User).where(User.id == site.admin_id)
                               .values(language=language))
            db.session.commit()
    page = new_page(locale=language, color_scheme="light")
    page.context.add_init_script(script=axe)  # not a page script: the CSP does not apply
    if logged_in:
        _login(page, server.url, site.admin_email, factories.PASSWORD)
    seen, failures = set(), []
    for path in paths:
        page.emulate_media(color_scheme="light")
        response = page.goto(server.url + path, wait_until="load")
        final = page.url.split("#")[0]
        if urlsplit(final).path == "/login":
            final = final.split("?")[0]  # every protected page sends visitors to one login page
        if final in seen:
            continue  # already checked (a redirect to a page seen before)
        seen.add(final)
        status = response.status if response else None
        assert status is not None and status < 500, f"{path}: {status}"
        assert page.locator("html").get_attribute("lang").startswith(language), path
        violations = run_axe(page)
        # The dark theme changes colours only: its contrast is checked on the same page.
        page.emulate_media(color_scheme="dark")
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        violations += [dict(v, theme="dark") for v in run_axe(page, DARK_RULES)]
        if violations:
            failures.append(f"{path} ({final}):\n" + json.dumps(violations, indent=1,
                                                                  ensure_ascii=False))
    assert len(seen) >= (25 if logged_in else 5), sorted(seen)
    assert not failures, f"{len(failures)} pages with violations:\n" + "\n".join(failures)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violations_on_the_phone_home_with_its_menu_open(served, new_page, language):
    app, site, _paths, server = served
    with app.app_context():
        db.session.execute(update(User).where(User.id == site.admin_id)
                           .values(language=language))
        db.session.commit()
    page = new_page(locale=language, viewport={"width": 390, "height": 844}, is_mobile=True)
    page.context.add_init_script(script=_axe_script())
    _login(page, server.url, site.admin_email, factories.PASSWORD)
    page.goto(server.url + "/", wait_until="load")
    page.locator("details[data-nav-menu] summary").click()
    assert page.locator("details[data-nav-menu] .nav-links").is_visible()
    violations = run_axe(page)
    page.emulate_media(color_scheme="dark")
    violations += [dict(v, theme="dark") for v in run_axe(page, DARK_RULES)]
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)



@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violations_on_chat_with_its_connection_state_and_outbox(served, new_page,
                                                                         language):
    """The chat composer's state line ("Reconnecting…", Retry now) and the outbox's "Sending…"
    and "Not sent" messages (static/js/chat_composer.js), light and dark (chatoutbox)."""
    import re

    app, site, _paths, server = served
    with app.app_context():
        db.session.execute(update(User).where(User.id == site.admin_id)
                           .values(language=language))
        db.session.commit()
    page = new_page(locale=language, color_scheme="light")
    page.context.add_init_script(script=_axe_script())
    _login(page, server.url, site.admin_email, factories.PASSWORD)
    page.goto(f"{server.url}/chat/{site.channel_id}", wait_until="load")
    page.wait_for_selector("#composer-state.is-quiet")  # connected, said quietly
    violations = run_axe(page)
    failed = [{"client_id": "axe-failed", "body": "Refused words", "created_at": "",
               "status": "failed", "error": {"code": "too_long", "message": "Too long."}}]
    page.evaluate("([key, entries]) => localStorage.setItem(key, JSON.stringify(entries))",
                  [f"commons:outbox:{site.admin_id}:{site.channel_id}", failed])
    endpoint = re.compile(r"/socket\.io/\?EIO=")  # the socket cannot connect from now on
    page.route(endpoint, lambda route: route.abort())
    page.route_web_socket(endpoint, lambda ws: ws.close())
    page.reload(wait_until="load")
    page.locator(".chat-message.is-failed").wait_for()
    page.locator("#chat-form textarea").fill("Waiting words")
    page.locator("#chat-form textarea").press("Enter")
    page.locator(".chat-message.is-outbox:not(.is-failed)").wait_for()
    page.locator("#composer-retry").wait_for()
    violations += run_axe(page)
    page.emulate_media(color_scheme="dark")
    violations += [dict(v, theme="dark") for v in run_axe(page, DARK_RULES)]
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)



@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 375, "height": 740}], ids=["desktop", "phone"])
def test_no_axe_violations_on_the_chat_workspace_in_use(served, new_page, language, viewport):
    """The chat workspace with a message's "⋯" menu open, and on a phone its drawer open
    (chatspace): light and dark."""
    app, site, _paths, server = served
    with app.app_context():
        db.session.execute(update(User).where(User.id == site.admin_id)
                           .values(language=language))
        db.session.commit()
    page = new_page(locale=language, viewport=viewport, color_scheme="light")
    page.context.add_init_script(script=_axe_script())
    _login(page, server.url, site.admin_email, factories.PASSWORD)
    page.goto(f"{server.url}/chat/{site.channel_id}", wait_until="load")
    page.wait_for_selector("#chat[data-ready]")  # chat.js ran
    violations = []

    def check(state: str) -> None:
        page.emulate_media(color_scheme="light")
        violations.extend(dict(v, state=state) for v in run_axe(page))
        page.emulate_media(color_scheme="dark")
        violations.extend(dict(v, state=state, theme="dark") for v in run_axe(page, DARK_RULES))

    check("loaded")
    message = page.locator("#message-log .chat-message").last
    if message.count():
        message.focus()
        page.keyboard.press("Enter")
        page.locator("#message-log [role=menu]").wait_for()
        check("message menu open")
        page.keyboard.press("Escape")
    if viewport["width"] < 640:
        page.locator("#chat-drawer-button").click()
        page.locator("#chat-sidebar.is-open").wait_for()
        check("drawer open")
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)



@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violations_on_a_thread_with_its_reaction_picker_and_flag_dialog_open(
        served, new_page, language):
    app, site, _paths, server = served
    with app.app_context():
        db.session.execute(update(User).where(User.id == site.admin_id)
                           .values(language=language))
        db.session.commit()
    page = new_page(locale=language, color_scheme="light")
    page.context.add_init_script(script=_axe_script())
    _login(page, server.url, site.admin_email, factories.PASSWORD)
    page.goto(f"{server.url}/t/{site.thread_id}", wait_until="load")
    page.wait_for_selector('#thread[data-live="on"]')
    post = f"#post-{site.reply_id}"
    page.locator(f"{post} .reaction-picker summary").click()
    assert page.locator(f"{post} .reaction-picker-panel").is_visible()
    violations = run_axe(page)
    page.locator(f"{post} a[data-flag]").click()
    page.wait_for_selector("dialog.flag-dialog[open]")
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        violations += [dict(v, theme=theme) for v in run_axe(page)]
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)



@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violations_in_the_composer_with_suggestions_and_preview(served, new_page,
                                                                        language):
    """The composer's states that exist only after typing: the @mention listbox open, and the
    Preview tab showing the server's HTML (feature: composer)."""
    app, site, _paths, server = served
    with app.app_context():
        db.session.execute(update(User).where(User.id == site.admin_id)
                           .values(language=language))
        db.session.commit()
        author_id = db.session.get(Post, site.reply_id).author_id
        username = db.session.get(User, author_id).username
    page = new_page(locale=language)
    page.context.add_init_script(script=_axe_script())
    _login(page, server.url, site.admin_email, factories.PASSWORD)
    page.goto(f"{server.url}/t/{site.thread_id}", wait_until="load")
    page.wait_for_selector(".composer[data-ready]")
    box = page.locator("textarea[data-composer]")
    box.click()
    box.type(f"**Hello** :tada: @{username[:3]}")
    page.locator(".composer-suggestions [role=option]").first.wait_for()
    states = {"listbox": None, "preview": None}
    states["listbox"] = run_axe(page)
    page.emulate_media(color_scheme="dark")
    states["listbox"] += run_axe(page, DARK_RULES)
    page.emulate_media(color_scheme="light")
    box.press("Escape")
    page.locator(".composer [role=tab]").nth(1).click()
    page.locator(".composer-preview strong").wait_for()
    states["preview"] = run_axe(page)
    page.emulate_media(color_scheme="dark")
    states["preview"] += run_axe(page, DARK_RULES)
    assert not any(states.values()), json.dumps(states, indent=1, ensure_ascii=False)



@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violations_with_the_keyboard_shortcuts_list_open(served, new_page, language):
    """static/js/shortcuts.js: the modal list behind `?` on a thread page, light and dark."""
    app, site, _paths, server = served
    with app.app_context():
        db.session.execute(update(User).where(User.id == site.admin_id)
                           .values(language=language))
        db.session.commit()
    page = new_page(locale=language)
    page.context.add_init_script(script=_axe_script())
    _login(page, server.url, site.admin_email, factories.PASSWORD)
    page.goto(f"{server.url}/t/{site.thread_id}", wait_until="load")
    page.locator("h1").click()
    page.keyboard.press("Shift+Slash")
    assert page.locator("dialog#shortcuts-dialog[open]").is_visible()
    violations = run_axe(page)
    page.emulate_media(color_scheme="dark")
    violations += [dict(v, theme="dark") for v in run_axe(page, DARK_RULES)]
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)



@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violations_in_the_cohort_archive_confirmation(served, new_page, language):
    """Cohort set-up (issue 16): the archive question as a modal dialog, and as the
    confirmation page reached without JavaScript, on a phone (the admin tables stack there)."""
    app, site, _paths, server = served
    with app.app_context():
        db.session.execute(update(User).where(User.id == site.admin_id)
                           .values(language=language))
        db.session.commit()
    page = new_page(locale=language, viewport={"width": 360, "height": 740})
    page.context.add_init_script(script=_axe_script())
    _login(page, server.url, site.admin_email, factories.PASSWORD)
    page.goto(f"{server.url}/admin/cohorts/{site.cohort_id}", wait_until="load")
    violations = run_axe(page)
    page.locator("#archive-form input[value=read_only]").check()
    page.locator("#archive-form button[type=submit]").click()
    page.locator("#archive-dialog").wait_for(state="visible")
    violations += [dict(v, state="modal") for v in run_axe(page)]
    page.keyboard.press("Escape")
    page.locator("#archive-dialog").wait_for(state="hidden")
    # Without the script's answer the server asks on a page of its own.
    page.evaluate("document.getElementById('archive-form').dataset.confirmed = '1'")
    page.locator("#archive-form button[type=submit]").click()
    page.wait_for_url("**/archive")
    page.locator("#status-confirm").wait_for(state="visible")
    violations += [dict(v, state="confirm page") for v in run_axe(page)]
    page.emulate_media(color_scheme="dark")
    violations += [dict(v, theme="dark") for v in run_axe(page, DARK_RULES)]
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)



# --- thread lists (listsaudit): what a member sees, on a desktop and a 360 px phone ----------

LIST_CHECKS = """() => {
  const rows = [...document.querySelectorAll('.thread-row')].map(row => {
    const title = row.querySelector('.thread-main').getBoundingClientRect();
    const stat = row.querySelector('.thread-replies').getBoundingClientRect();
    return {titleBottom: title.bottom, statTop: stat.top, right: row.getBoundingClientRect().right};
  });
  return {scroll: document.documentElement.scrollWidth, width: window.innerWidth, rows};
}"""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_thread_lists_pass_axe_and_fit_a_360px_phone(served, new_page, language):
    """Category page (new, unread with a count, answered), discussions index, search results:
    0 axe violations in light and dark on a desktop and a phone; on the phone no sideways
    scrolling and each title on its own line above the numbers."""
    app, site, _paths, server = served
    with app.app_context(), app.test_request_context():
        member = db.session.get(User, site.member_id)
        admin = db.session.get(User, site.admin_id)
        member.language = language
        member.password_hash = hash_password(factories.PASSWORD)
        db.session.commit()
        # One thread opened before a new reply: its row shows "1 new reply", others "New".
        discussions.read_thread(member, site.thread_id)
        discussions.reply(admin, site.thread_id, "A reply the member has not read yet.")
        email = member.email
        title = db.session.get(Thread, site.thread_id).title
    word = max(title.split(), key=len).strip("?,.!:;")
    paths = [f"/c/{site.category_slug}", "/c", f"/search?q={word}"]
    axe = _axe_script()
    for viewport in ({"width": 1280, "height": 800}, {"width": 360, "height": 740}):
        phone = viewport["width"] == 360
        page = new_page(locale=language, viewport=viewport, is_mobile=phone, has_touch=phone)
        page.context.add_init_script(script=axe)
        _login(page, server.url, email, factories.PASSWORD)
        for path in paths:
            page.emulate_media(color_scheme="light")
            page.goto(server.url + path, wait_until="load")
            if path.startswith("/c/"):
                assert page.locator(".thread-row .badge-count").count() >= 1, "an unread count"
                assert page.locator(".thread-row .thread-posters .avatar").count() >= 1
            violations = run_axe(page)
            page.emulate_media(color_scheme="dark")
            violations += [dict(v, theme="dark") for v in run_axe(page, DARK_RULES)]
            assert not violations, (path, viewport,
                                    json.dumps(violations, indent=1, ensure_ascii=False))
            if phone:
                layout = page.evaluate(LIST_CHECKS)
                assert layout["scroll"] <= layout["width"], (path, layout)
                for row in layout["rows"]:
                    assert row["titleBottom"] <= row["statTop"], (path, row)
                    assert row["right"] <= layout["width"], (path, row)
