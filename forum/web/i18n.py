"""Language and time zone selection for Flask-Babel."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, request, session
from flask_babel import format_timedelta, get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum.config import RTL_LANGUAGES
from forum.models.base import utcnow


def select_locale() -> str | None:
    """The user's chosen language, else the session's, else the browser's best match."""
    if not has_request_context():
        return None  # CLI commands and background work: the default locale
    languages = current_app.config["LANGUAGES"]
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) if request else None


def select_timezone() -> str | None:
    """The user's time zone; UTC for visitors."""
    if getattr(current_user, "is_authenticated", False):
        return current_user.timezone or "UTC"
    return None


def text_direction(locale: str) -> str:
    """`rtl` for right-to-left languages, else `ltr`."""
    return "rtl" if locale.split("_")[0] in RTL_LANGUAGES else "ltr"


def timezone_name() -> str:
    """The IANA name of the current time zone, for scripts that format times."""
    return str(get_timezone() or "UTC")


def format_timedelta_ago(moment: datetime | None) -> str:
    """"3 minutes ago" in the user's language."""
    if moment is None:
        return ""
    return format_timedelta(moment - utcnow(), add_direction=True, granularity="minute")


# Strings used by static/js/*.js, served per language as /i18n/<language>.js (main.js_catalogue)
# and read with i18n.js `t(key)`; no user-facing English lives in the scripts. A separate
# cacheable module rather than JSON inside every page keeps pages free of unused labels.
# Live fragments mark their labels with data-i18n="<key>" so each viewer sees their own
# language whoever's request rendered the fragment.
JS_STRINGS = {
    "reconnecting": _l("Reconnecting…"),
    "typing": _l("%(name)s is typing…"),
    "new_message": _l("New message from %(name)s"),
    "new_reply": _l("New reply from %(name)s"),
    "access_lost": _l("You no longer have access to this thread."),
    "send_failed": _l("Not sent. Check your connection and try again."),
    "delete_confirm": _l("Delete this message?"),
    "edit_prompt": _l("Edit your message"),
    "edit": _l("Edit"),
    "delete": _l("Delete"),
    "edited": _l("edited"),
    "history": _l("history"),
    "deleted_user": _l("deleted user"),
    "deleted_post": _l("deleted post"),
    "in_reply_to": _l("in reply to"),
    "message_deleted": _l("This message was deleted."),
    "message_hidden": _l("This message was hidden by a moderator."),
    "post_deleted": _l("This post was deleted."),
    "post_hidden": _l("This post was hidden by a moderator."),
    "mentor": _l("Mentor"),
    "accepted_answer": _l("Accepted answer"),
    "like": _l("Like"),
    "helpful": _l("Helpful"),
    "reply": _l("Reply"),
    "accept_answer": _l("Accept answer"),
    "unaccept_answer": _l("Unaccept answer"),
    "report": _l("Report"),
    # static/js/ui.js: in-page dialogs and toasts
    "ok": _l("OK"),
    "cancel": _l("Cancel"),
    "save": _l("Save"),
    # static/js/uploader.js and lightbox.js: files in composers, pictures full size
    "attach_files": _l("Attach files"),
    "uploading": _l("Uploading %(name)s…"),
    "uploaded": _l("Uploaded"),
    "upload_failed": _l("Not uploaded: %(reason)s"),
    "upload_offline": _l("you seem to be offline. Your text is kept; retry when you are back."),
    "upload_server_error": _l("the server could not take it. Please retry in a moment."),
    "retry": _l("Retry"),
    "remove": _l("Remove"),
    "alt_text": _l("Describe the picture (for people who cannot see it)"),
    "close": _l("Close"),
    "picture": _l("Picture"),
}


def js_strings() -> dict[str, str]:
    """The JavaScript catalogue in the current language."""
    return {key: str(value) for key, value in JS_STRINGS.items()}
