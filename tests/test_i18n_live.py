"""Live fragments carry no one's language: each reader sees their own labels and times.

A post or chat message is rendered once (by the poster's request) and broadcast to every reader.
It is rendered in English and UTC with data-i18n keys; static/js/i18n.js puts each reader's own
strings (from /i18n/<lang>.js) and time zone into it.
"""

from __future__ import annotations

import re

import pytest
from flask import g
from flask_babel import refresh
from flask_login import login_user

from forum.extensions import db
from forum.models import Category
from forum.services import chat, discussions
from forum.web.i18n import JS_STRINGS
from tests import chat_helpers
from tests.live import login_session
from tests.test_i18n_pages import compile_catalogues

world = chat_helpers.world  # the fixture


@pytest.fixture(autouse=True)
def _compiled() -> None:
    compile_catalogues()


FRENCH_LABELS = ["Répondre", "Modifier", "Supprimer", "J\u2019aime", "Utile", "Signaler", "modifié"]


@pytest.fixture
def space(make):
    """A cohort with an English and a French member, and a discussion category."""
    cohort = make.cohort("alpha", name="Cohort Alpha")
    english = make.user("emma", display_name="Emma English", cohorts=[cohort], language="en")
    french = make.user("francois", display_name="François", cohorts=[cohort], language="fr",
                       timezone="Europe/Paris")
    category = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add(category)
    db.session.commit()
    return english, french, category


def _as(app, user):
    """A request context for `user` (their language and time zone)."""
    context = app.test_request_context()
    context.push()
    g.pop("_flask_babel", None)
    login_user(user)
    refresh()
    return context


def test_post_fragment_is_identical_whoever_renders_it(app, space):
    english, french, category = space
    thread = discussions.create_thread(english, category.id, "Hello", "First post")
    post = discussions.reply(english, thread.id, "A *reply*")
    discussions.edit_post(english, post.id, "An edited reply")
    fragments = {}
    for user in (english, french):
        context = _as(app, user)
        try:
            loaded = discussions._load_post(post.id)
            fragments[user.language] = discussions.render_post_fragment(loaded, loaded.thread)
        finally:
            context.pop()
    assert fragments["fr"] == fragments["en"]
    html = fragments["fr"]
    assert not [label for label in FRENCH_LABELS if label in html]
    keys = set(re.findall(r'data-i18n="(\w+)"', html))
    assert {"reply", "edit", "delete", "like", "helpful", "edited", "report"} <= keys
    assert keys <= set(JS_STRINGS), keys - set(JS_STRINGS)
    assert 'data-format="short"' in html  # the reader's clock formats the time


def test_chat_fragment_is_identical_whoever_renders_it(app, world):
    message = chat.send_message(world.amina, world.channel.id, "Bonjour", "c-1")
    world.amina.language, world.bruno.language = "fr", "ar"
    db.session.commit()
    rendered = []
    for user in (world.amina, world.bruno):
        context = _as(app, user)
        try:
            rendered.append(chat.message_payload(message)["html"])
        finally:
            context.pop()
    assert rendered[0] == rendered[1]
    keys = set(re.findall(r'data-i18n="(\w+)"', rendered[0]))
    # Edit and delete live in the message's "⋯" menu (chat_menu.js), labelled by the script.
    assert {"message_actions", "report"} <= keys <= set(JS_STRINGS)
    assert "Modifier" not in rendered[0] and "تعديل" not in rendered[0]


@pytest.mark.parametrize("language, expected", [
    ("fr", {"reply": "Répondre", "edit": "Modifier",
            "typing": "%(name)s est en train d\u2019écrire…"}),
    ("ar", {"reply": "رد", "edit": "تعديل"}),
    ("zh", {"reply": "回复", "delete": "删除"}),
])
def test_js_catalogue_is_served_per_language(client, language, expected):
    response = client.get(f"/i18n/{language}.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert body.startswith("export default {")
    for key, text in expected.items():
        assert f'"{key}": "{text}"' in body
    assert set(re.findall(r'"(\w+)": ', body)) == set(JS_STRINGS)
    assert client.get("/i18n/xx.js").status_code == 404


@pytest.mark.live
@pytest.mark.browser
def test_french_reader_sees_french_labels_on_an_english_posters_live_reply(
        live_server, make, new_page, space):
    english, french, category = space
    thread = discussions.create_thread(english, category.id, "Relocation tips", "Any tips?")
    page = new_page(locale="en-GB", timezone_id="Europe/Paris")
    page.goto(live_server.url + "/login")
    page.fill("#email", french.email)
    page.fill("#password", make.PASSWORD)
    page.locator("#main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*:\d+/$"))  # the home page
    page.goto(f"{live_server.url}/t/{thread.id}")
    page.wait_for_selector('#thread[data-live="on"]')

    poster = login_session(live_server, english.email, make.PASSWORD)
    form = poster.get(f"{live_server.url}/t/{thread.id}").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert 'lang="en"' in form  # the poster's own page is English
    response = poster.post(f"{live_server.url}/t/{thread.id}/reply", allow_redirects=False,
                           data={"csrf_token": token, "body": "Register with the embassy."})
    assert response.status_code in (302, 303)

    reply = page.locator("#post-list article", has_text="Register with the embassy")
    reply.wait_for()
    assert reply.locator(".reply-link").inner_text() == "Répondre"
    assert reply.locator(".flag-link").inner_text() == "Signaler"
    assert "J\u2019aime" in reply.locator("button[data-kind=like]").inner_text()
    assert "Nouvelle réponse de Emma English" in page.locator("#live-status").inner_text()
    text = reply.locator("article .post-header, .post-header").first.inner_text()
    assert not re.search(r"\b(AM|PM)\b", text)  # a French clock, not the English fragment's
