"""The interface speaks the reader's language: pages, forms, flashes, errors, mail, plurals.

Language comes from the member's preference, else the session's switch, else Accept-Language.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g
from flask_babel import force_locale, ngettext, refresh

from forum.config import LANGUAGES
from forum.errors import NotFound
from forum.extensions import db
from forum.lib.mail import outbox
from tests.test_i18n_catalogues import TRANSLATIONS


def compile_catalogues() -> None:
    """Compile .po to .mo when stale (make does it too; this lets pytest run on its own)."""
    for language in LANGUAGES:
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source:
                catalog = read_po(source, locale=language)
            with open(mo, "wb") as target:
                write_mo(target, catalog)


@pytest.fixture(autouse=True)
def _compiled() -> None:
    compile_catalogues()


LOGIN_HEADING = {"en": "Log in", "fr": "Se connecter", "es": "Iniciar sesión",
                 "ar": "تسجيل الدخول", "zh": "登录", "ru": "Войти"}


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_in_each_language_from_accept_language(client, language):
    page = _text(client.get("/login", headers={"Accept-Language": f"{language},en;q=0.5"}))
    assert f"<h1>{LOGIN_HEADING[language]}</h1>" in page
    assert f'lang="{language}"' in page
    assert ('dir="rtl"' in page) == (language == "ar")
    # The language switcher names every language in itself.
    for name in ("English", "Français", "Español", "العربية", "中文", "Русский"):
        assert name in page


def test_member_preference_beats_the_browser_and_the_switch_sets_the_session(client, auth, make):
    make.user("amina", language="ru")
    auth.login("amina@example.org")
    page = _text(client.get("/c", headers={"Accept-Language": "fr"}))
    assert 'lang="ru"' in page and "Обсуждения" in page
    client.post("/language", data={"language": "es", "next": "/c"})
    page = _text(client.get("/c", headers={"Accept-Language": "fr"}))
    assert 'lang="es"' in page and "Debates" in page
    assert db.session.get(type(make.user("probe")), 1).language == "es"  # saved to the profile


def test_visitor_switch_is_kept_in_the_session(client):
    client.post("/language", data={"language": "zh", "next": "/login"})
    page = _text(client.get("/login", headers={"Accept-Language": "fr"}))
    assert 'lang="zh"' in page and "<h1>登录</h1>" in page


def test_form_labels_validation_and_flash_messages_are_translated(client, make):
    make.user("amina")
    headers = {"Accept-Language": "fr"}
    page = _text(client.post("/login", data={"email": "", "password": ""}, headers=headers))
    assert "Adresse électronique" in page and "Mot de passe" in page  # lazy_gettext labels
    assert "Ce champ est requis." in page  # WTForms' own message, from its French catalogue
    page = _text(client.post("/login", data={"email": "amina@example.org", "password": "nope"},
                             headers=headers))
    assert "Adresse électronique ou mot de passe incorrect." in page
    page = _text(client.post("/login", data={"email": "amina@example.org",
                                             "password": make.PASSWORD},
                             headers=headers, follow_redirects=True))
    assert "Bon retour parmi nous, Amina." in page  # the flash message


def test_domain_errors_translate_when_shown(client, app):
    # A lazy default message becomes text in the language of whoever reads it.
    error = NotFound()
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        refresh()
        assert error.to_dict()["message"] == "غير موجود."
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        refresh()
        assert error.to_dict()["message"] == "未找到。"
    page = _text(client.get("/no-such-page", headers={"Accept-Language": "es"}))
    assert "Esta página no existe o usted no tiene acceso a ella." in page


def test_socket_errors_come_back_in_the_members_language(app, make, client, socket_client):
    from tests.factories import PASSWORD

    make.user("amina", language="fr")
    client.post("/login", data={"email": "amina@example.org", "password": PASSWORD})
    socket = socket_client(client)
    g.pop("_flask_babel", None)  # this test's app context is shared with the socket handlers
    ack = socket.emit("channel:join", "not an object", callback=True)
    assert ack == {"ok": False, "error": {"code": "invalid",
                                          "message": "Les données de l\u2019événement doivent être "
                                                     "un objet."}}


def test_reset_mail_goes_out_in_the_account_holders_language(client, make):
    make.user("amina", language="ar")
    client.post("/password/forgot", data={"email": "amina@example.org"},
                headers={"Accept-Language": "en"})  # asked from an English browser
    (mail,) = outbox()
    assert mail["Subject"] == "أعد تعيين كلمة مرورك في Commons"
    body = mail.get_content()
    assert body.startswith("مرحبًا Amina،") and "/password/reset/" in body


@pytest.mark.parametrize("language, counts", [
    ("ru", {1: "1 ответ", 3: "3 ответа", 5: "5 ответов", 21: "21 ответ", 11: "11 ответов"}),
    ("ar", {0: "لا ردود", 1: "ردّ واحد", 2: "ردّان", 3: "3 ردود", 11: "11 ردًّا",
            99: "99 ردًّا", 100: "100 ردّ", 103: "103 ردود"}),
    ("fr", {0: "0 réponse", 1: "1 réponse", 2: "2 réponses"}),
    ("zh", {1: "1 条回复", 7: "7 条回复"}),
])
def test_plural_forms(app, language, counts):
    with app.test_request_context(), force_locale(language):
        for n, expected in counts.items():
            assert ngettext("%(num)d reply", "%(num)d replies", n) == expected


def test_dates_and_numbers_follow_the_locale_and_time_zone(app, make):
    from flask import render_template_string

    moment = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    template = "{{ moment|datetime('medium') }} | {{ 1234567|number }}"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string(template, moment=moment) == \
            "9 mars 2026, 23:30 | 1\u202f234\u202f567"
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        refresh()
        text = render_template_string(template, moment=moment)
        assert "،" in text and "2026" in text  # Arabic comma: the Arabic pattern
    user = make.user("kenji", language="en", timezone="Asia/Tokyo")
    with app.test_request_context():
        from flask_login import login_user

        login_user(user)
        refresh()
        # Tokyo is UTC+9: the time shows in the member's zone, on the next day.
        assert render_template_string("{{ moment|datetime('short') }}",
                                      moment=moment) == "10 Mar 2026, 08:30"


def test_pages_mark_user_text_with_dir_auto(client, auth, make):
    # Mixed-direction names and titles must each pick their own direction.
    make.user("amina", display_name="أمينة Diallo")
    auth.login("amina@example.org")
    page = _text(client.get("/u/amina"))
    assert re.search(r'<h1[^>]*>\s*<span dir="auto">أمينة Diallo', page) or \
        re.search(r'dir="auto"[^>]*>\s*أمينة Diallo', page), page[:3000]


def test_template_strings_follow_force_locale_inside_a_request(app):
    """Templates keep the request's catalogue on g; force_locale must still switch it."""
    template = app.jinja_env.from_string('{{ _("Log out") }}|{{ ngettext("%(num)d reply", '
                                         '"%(num)d replies", 2) }}')
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        french = template.render()
        with force_locale("en"):
            english = template.render()
        assert template.render() == french
    assert english == "Log out|2 replies"
    assert french != english and french.startswith("Se déconnecter")
