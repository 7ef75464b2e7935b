"""Language and time zone selection for Flask-Babel."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum.config import RTL_LANGUAGES


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
    "new_messages_count": _l("New messages: %(count)s"),
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
    # chat_composer.js and socket.js: the chat outbox and the connection state (chatoutbox)
    "connected": _l("Connected"),
    "connecting_waiting": _l("Connecting… Waiting to send: %(n)s"),
    "reconnecting_waiting": _l("Reconnecting… Waiting to send: %(n)s"),
    "offline": _l("Offline."),
    "offline_waiting": _l("Offline. Waiting to send: %(n)s"),
    "account_suspended": _l(
        "Your account is suspended until %(until)s: you can read, but not send."),
    "account_banned": _l("This account is banned."),
    "logged_out": _l("You were logged out. Log in again to send: nothing you wrote is lost."),
    "channel_access_lost": _l("You no longer have access to this channel."),
    "sending": _l("Sending…"),
    "not_sent": _l("Not sent"),
    "retry": _l("Retry"),
    # static/js/chat_*.js: the chat workspace (chatspace): menu, layout, sidebar
    "message_actions": _l("Message actions"),
    "react": _l("Add a reaction"),
    "reply_in_thread": _l("Reply in thread"),
    "copy_link": _l("Copy link"),
    "link_copied": _l("Link copied."),
    "make_forum_thread": _l("Make a forum thread"),
    "new_messages": _l("New messages"),
    "new_below": _l("(%(num)s new)"),
    "unread_count": _l("Unread: %(num)s"),
    "mention_count": _l("Mentions: %(num)s"),
    "online": _l("online"),
    "notify_mention": _l("You were mentioned in %(channel)s"),
    "notify_direct": _l("New message in %(channel)s"),
    # static/js/ui.js: in-page dialogs and toasts
    "ok": _l("OK"),
    "cancel": _l("Cancel"),
    "save": _l("Save"),
    # chat reactions and replies in thread (chatthreads: chat_reactions.js, chat_threads.js)
    "add_reaction": _l("Add reaction"),
    "reaction_label": _l("%(emoji)s %(count)s, react"),
    "reaction_mine": _l("%(emoji)s %(count)s, including you: take it back"),
    "thread_replies": _l("Replies: %(num)s"),
    "thread_last_reply": _l("last reply"),
    "thread_new": _l("%(num)s new"),
    "thread_replied": _l("Replied in a thread"),
    # static/js/thread.js (threadlive): emoji reactions, bookmarks, the accepted answer,
    # actions and replies sent in place, the flag dialog
    "reaction_heart": _l("Love"),
    "reaction_celebrate": _l("Celebrate"),
    "reaction_laugh": _l("Funny"),
    "reaction_thanks": _l("Thank you"),
    "reaction_clap": _l("Well done"),
    "reaction_thinking": _l("Thinking"),
    "reaction_eyes": _l("Looking into it"),
    "reaction_rocket": _l("Let's go"),
    "bookmark": _l("Bookmark"),
    "answered_by": _l("Answered by"),
    "jump_to_answer": _l("Jump to the answer in context"),
    "action_offline": _l("Not saved: you are offline. Try again when you are back online."),
    "action_session": _l("Your session has ended. Log in again, then try once more."),
    "action_rate_limited": _l("Too many actions at once. Wait a minute, then try again."),
    "action_server": _l("Something went wrong on our side. Please try again in a moment."),
    "flag_title": _l("Report to the moderators"),
    "flag_send": _l("Send to the moderators"),
    "reply_empty": _l("Write something first."),
    "reply_offline": _l("Not posted: you are offline. Your text is kept here; post it again "
                        "when you are back online."),
    "reply_server_error": _l("Not posted: something went wrong on our side. Your text is "
                             "kept; try again in a moment."),
    "reply_rate_limited": _l("Not posted: you are posting too fast. Your text is kept; wait a "
                             "minute, then post it again."),
    "reply_session": _l("Not posted: your session has ended. Your text is kept; log in again "
                        "in another tab, then post it."),
    # static/js/composer.js: the composer (Write/Preview, toolbar, suggestions, quote-reply)
    "composer_mode": _l("Editor"),
    "composer_write": _l("Write"),
    "composer_preview": _l("Preview"),
    "composer_toolbar": _l("Formatting"),
    "composer_bold": _l("Bold (Ctrl+B)"),
    "composer_italic": _l("Italic (Ctrl+I)"),
    "composer_link": _l("Link (Ctrl+K)"),
    "composer_bullets": _l("Bulleted list"),
    "composer_numbers": _l("Numbered list"),
    "composer_quote": _l("Quote"),
    "composer_code": _l("Code"),
    "composer_nothing": _l("Nothing to preview yet."),
    "composer_loading": _l("Loading the preview…"),
    "composer_preview_failed": _l("The preview could not be loaded. Your text is safe; try again."),
    "composer_people": _l("People who can read this"),
    "composer_emoji": _l("Emoji"),
    "composer_suggestions": _l("%(n)s suggestions: up and down arrows to move, Enter to choose, "
                               "Escape to close."),
    "quote_selection": _l("Quote in reply"),
    "quote_wrote": _l("%(name)s wrote:"),
    # static/js/shortcuts.js: keyboard shortcuts and their list behind "?" (timekeys)
    "shortcuts_title": _l("Keyboard shortcuts"),
    "shortcut_help": _l("Show this list"),
    "shortcut_next": _l("Next post"),
    "shortcut_previous": _l("Previous post"),
    "shortcut_reply": _l("Reply (to the selected post)"),
    "shortcut_like": _l("Like the selected post"),
    "shortcut_home": _l("Go to Home"),
    "shortcut_unread": _l("Go to Unread"),
    "shortcut_search": _l("Search"),
    "shortcut_close": _l("Close this list"),
    "shortcut_then": _l("then"),
    "key_escape": _l("Esc"),
    "close": _l("Close"),
    # static/js/admin.js: copy buttons for invitation links (cohort set-up)
    "copied": _l("Copied"),
    "copy_failed": _l("Could not copy: the link is selected, copy it with Ctrl+C."),
    # static/js/uploader.js and lightbox.js: files in composers, pictures full size
    "attach_files": _l("Attach files"),
    "uploading": _l("Uploading %(name)s…"),
    "uploaded": _l("Uploaded"),
    "upload_failed": _l("Not uploaded: %(reason)s"),
    "upload_offline": _l("you seem to be offline. Your text is kept; retry when you are back."),
    "upload_server_error": _l("the server could not take it. Please retry in a moment."),
    "remove": _l("Remove"),
    "alt_text": _l("Describe the picture (for people who cannot see it)"),
    "picture": _l("Picture"),
    # static/js/avatar_crop.js: the square of a new picture to keep, said after each change
    "crop_square": _l("Square of %(size)s pixels, %(x)s from the left and %(y)s from the top"),
}


def js_strings() -> dict[str, str]:
    """The JavaScript catalogue in the current language."""
    return {key: str(value) for key, value in JS_STRINGS.items()}
