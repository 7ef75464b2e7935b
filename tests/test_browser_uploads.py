"""In Chromium: pick, paste and drop files into a reply with progress; a refused file says why
and loses no text; alt text is asked for; pictures open in a keyboard-accessible lightbox."""

from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Category, Upload
from forum.services import discussions
from tests.live import browser_login
from tests.test_a11y_axe import _axe_script, run_axe
from tests.uploads_helpers import png

pytestmark = pytest.mark.live

PASTE = """([name, b64, kind]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const field = document.querySelector("#reply-form textarea[name=body]");
  const event = kind === "paste"
    ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
  field.dispatchEvent(event);
}"""


@pytest.fixture
def thread_page(live_server, make, new_page):
    cohort = make.cohort("alpha", name="Cohort Alpha")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    lounge = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add(lounge)
    db.session.commit()
    thread = discussions.create_thread(amina, lounge.id, "Photos from Turin", "Share yours!")
    page = new_page()
    page.context.add_init_script(script=_axe_script())  # not a page script: no CSP applies
    browser_login(page, live_server.url, amina.email)
    page.goto(f"{live_server.url}/t/{thread.id}")
    return page, thread


def test_pick_paste_drop_then_post_shows_pictures_in_a_lightbox(thread_page):
    page, _thread = thread_page
    body = page.locator("#reply-form textarea[name=body]")
    body.fill("Our group on the last day:")
    page.locator("#reply-form input[type=file]").set_input_files(
        [{"name": "group.png", "mimeType": "image/png", "buffer": png((40, 30))}])
    alt = page.get_by_label("Describe the picture (for people who cannot see it)")
    alt.wait_for()
    assert re.search(r"!\[group\]\(/files/[\w-]{22}/group\.png\)", body.input_value())
    alt.fill("Twelve JPOs on the steps of the campus")
    alt.press("Tab")  # change: the alt text goes into the Markdown
    assert "![Twelve JPOs on the steps of the campus](/files/" in body.input_value()
    assert body.input_value().startswith("Our group on the last day:")  # typed text kept
    assert run_axe(page) == []  # the upload row with its alt-text field
    page.evaluate(PASTE, ["pasted.png", base64.b64encode(png((20, 20))).decode(), "paste"])
    page.evaluate(PASTE, ["dropped.png", base64.b64encode(png((22, 22))).decode(), "drop"])
    page.wait_for_function(
        "() => (document.querySelector('#reply-form textarea').value.match(/\\(\\/files\\//g)"
        " || []).length === 3")
    assert "Uploading" not in body.input_value()
    page.locator("#reply-form").get_by_role("button", name=re.compile("Post|Reply")).click()
    link = page.locator("a.attachment-image").first
    link.wait_for()
    assert link.locator("img").get_attribute("alt") == "Twelve JPOs on the steps of the campus"
    assert db.session.scalar(select(Upload).where(Upload.filename == "group.png")
                             ).post_id is not None
    link.focus()
    page.keyboard.press("Enter")
    box = page.locator("dialog.lightbox")
    box.wait_for()
    assert box.evaluate("d => d.matches(':modal')")
    page.wait_for_function("() => document.querySelector('dialog.lightbox img')?.naturalWidth")
    assert box.locator("img").evaluate("i => i.naturalWidth") == 40  # the full picture
    assert run_axe(page) == []  # the open lightbox
    page.keyboard.press("Escape")
    box.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('attachment-image')")


def test_a_refused_file_says_why_and_keeps_the_text(thread_page):
    page, _thread = thread_page
    body = page.locator("#reply-form textarea[name=body]")
    body.fill("Here is the form")
    page.locator("#reply-form input[type=file]").set_input_files(
        [{"name": "form.png", "mimeType": "image/png", "buffer": b"<html>not a picture</html>"}])
    error = page.get_by_role("alert").filter(has_text="Not uploaded")
    error.wait_for()
    assert "cannot be shared" in error.inner_text()
    row = page.locator(".upload-row", has_text="form.png")
    row.get_by_role("button", name="Remove").click()
    row.wait_for(state="detached")
    assert body.input_value().strip() == "Here is the form"
    assert db.session.scalar(select(Upload.id)) is None
