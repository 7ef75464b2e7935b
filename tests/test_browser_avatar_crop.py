"""In Chromium: a new picture on /settings/files is shown with a square to keep, moved with the
keyboard or the pointer and zoomed with a labelled slider, previewed round; Save stores exactly
that square. In English and Arabic, on a desktop and a phone, with no axe violation."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from forum.extensions import db
from forum.models import User
from tests.api_helpers import token_for
from tests.live import browser_login
from tests.test_a11y_axe import DARK_RULES, _axe_script, run_axe
from tests.test_avatar_crop import BLUE, RED, colours, halves
from tests.uploads_helpers import fetch

pytestmark = pytest.mark.live

SHOTS = os.environ.get("COMMONS_SCREENSHOTS")  # a folder: save what the tests saw, to look at


def field(page, name: str) -> str:
    """A hidden crop field's value."""
    return page.locator(f"input[name={name}]").input_value()


def wait_square(page, x: int, y: int, size: int) -> None:
    """Wait until the form holds this square (the script sets the fields on every change)."""
    page.wait_for_function(
        "([x, y, s]) => document.querySelector('input[name=crop_x]').value === String(x)"
        " && document.querySelector('input[name=crop_y]').value === String(y)"
        " && document.querySelector('input[name=crop_size]').value === String(s)",
        arg=[x, y, size])


def preview_colour(page) -> tuple[int, int, int]:
    """The colour in the middle of the round preview."""
    return tuple(page.evaluate(
        "() => { const c = document.querySelector('[data-crop-preview]');"
        " return [...c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data]"
        ".slice(0, 3); }"))


@pytest.fixture
def settings_page(live_server, make, new_page):
    """Amina's Picture and files page, in the asked language and viewport."""
    cohort = make.cohort("alpha", name="Cohort Alpha")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[cohort])

    def _open(language: str = "en", viewport: dict | None = None):
        if language != "en":
            amina.language = language
            db.session.commit()
        page = new_page(locale=language, viewport=viewport or {"width": 1280, "height": 800},
                        is_mobile=bool(viewport and viewport["width"] < 640))
        page.context.add_init_script(script=_axe_script())  # not a page script: no CSP applies
        browser_login(page, live_server.url, amina.email)
        page.goto(f"{live_server.url}/settings/files")
        return page

    return amina, _open


def stored(app, user: User) -> Image.Image:
    """The person's picture as the server serves it."""
    db.session.expire_all()
    token = db.session.get(User, user.id).avatar_token
    assert token
    return Image.open(io.BytesIO(fetch(app, f"/avatars/{user.id}/{token}",
                                       token_for(user)).data)).convert("RGB")


def test_choose_move_with_the_keyboard_and_save_keeps_that_square(app, settings_page):
    amina, open_page = settings_page
    page = open_page()
    assert page.locator("[data-avatar-crop]").is_hidden()  # nothing to crop yet
    page.locator("#picture").set_input_files(
        [{"name": "halves.png", "mimeType": "image/png", "buffer": halves()}])
    page.locator("[data-avatar-crop]").wait_for()
    wait_square(page, 50, 0, 100)  # the centre square to begin with, as without the script
    square = page.get_by_role("group", name="Square to keep")
    square.focus()
    for _ in range(3):
        square.press("Shift+ArrowRight")  # 10 pixels a press here; it stops at the edge
    square.press("ArrowRight")
    square.press("ArrowRight")
    square.press("ArrowRight")
    wait_square(page, 86, 0, 100)
    page.wait_for_function("() => document.querySelector('[data-crop-status]').textContent"
                           ".includes('86 from the left')")
    for _ in range(3):
        square.press("Shift+ArrowRight")
    wait_square(page, 100, 0, 100)  # the right half, and no further
    assert preview_colour(page) == BLUE
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/crop-desktop-en.png", full_page=True)
    page.get_by_role("button", name="Save picture").click()
    page.get_by_text("Your picture was saved.").wait_for()
    picture = stored(app, amina)
    assert picture.size == (256, 256) and colours(picture) == {BLUE}


def test_a_turned_photo_is_cropped_as_it_is_shown(app, settings_page):
    """A phone photo stored sideways with an EXIF orientation: the square is chosen on the
    upright picture, and the server cuts the same pixels."""
    amina, open_page = settings_page
    page = open_page()
    # Stored 100 by 200, top red and bottom blue, shown turned a quarter clockwise:
    # 200 by 100, blue on the left, red on the right.
    photo = halves((100, 200), "JPEG", orientation=6, top_and_bottom=True)
    page.locator("#picture").set_input_files(
        [{"name": "turned.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.locator("[data-avatar-crop]").wait_for()
    wait_square(page, 50, 0, 100)  # upright: 200 wide, 100 high
    square = page.locator("[data-crop-box]")
    square.focus()
    for _ in range(5):
        square.press("Shift+ArrowRight")
    wait_square(page, 100, 0, 100)
    assert max(preview_colour(page)) == preview_colour(page)[0]  # the red half
    page.get_by_role("button", name="Save picture").click()
    page.get_by_text("Your picture was saved.").wait_for()
    assert colours(stored(app, amina)) == {RED}


def test_drag_and_zoom_choose_a_smaller_square(app, settings_page):
    amina, open_page = settings_page
    page = open_page()
    page.locator("#picture").set_input_files(
        [{"name": "halves.png", "mimeType": "image/png", "buffer": halves((400, 200))}])
    page.locator("[data-avatar-crop]").wait_for()
    wait_square(page, 100, 0, 200)
    zoom = page.get_by_label("Zoom")
    zoom.focus()
    for _ in range(8):
        zoom.press("ArrowRight")  # the slider by keyboard: a smaller square, same centre
    page.wait_for_function(
        "() => Number(document.querySelector('input[name=crop_size]').value) < 110")
    size = int(field(page, "crop_size"))
    assert size >= 90  # eight of the forty zoom steps
    x, y = int(field(page, "crop_x")), int(field(page, "crop_y"))
    assert abs(x + size / 2 - 200) <= 1 and abs(y + size / 2 - 100) <= 1
    # Drag the square to the left edge with the pointer (touch and pen work the same way).
    box = page.locator("[data-crop-box]").bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] - 600, start[1], steps=8)
    page.mouse.up()
    wait_square(page, 0, y, size)
    assert preview_colour(page) == RED
    assert page.locator("[data-crop-box]").evaluate("b => b === document.activeElement")
    page.get_by_role("button", name="Save picture").click()
    page.get_by_text("Your picture was saved.").wait_for()
    assert colours(stored(app, amina)) == {RED}


def test_the_crop_step_fits_reads_and_has_no_axe_violation(settings_page):
    """English and Arabic, desktop and a 390-pixel phone (one server for the four)."""
    _amina, open_page = settings_page
    for language in ("en", "ar"):
        for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
            check_crop_step(open_page(language, viewport), language, viewport)


def check_crop_step(page, language: str, viewport: dict) -> None:
    """The crop step inside the viewport, its square unmirrored, big targets, no violation."""
    state = f"{language} {viewport['width']}px"
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.locator("#picture").set_input_files(
        [{"name": "halves.png", "mimeType": "image/png", "buffer": halves((600, 400))}])
    page.locator("[data-avatar-crop]").wait_for()
    wait_square(page, 100, 0, 400)
    geometry = page.evaluate("""() => {
      const rect = (s) => document.querySelector(s).getBoundingClientRect();
      const stage = rect('[data-crop-image]'), box = rect('[data-crop-box]');
      const handle = rect('[data-crop-handle]'), zoom = rect('#avatar-crop-zoom');
      return {page: document.documentElement.scrollWidth, view: innerWidth,
              stage: [stage.left, stage.right, stage.width], box: [box.left, box.right],
              handle: [handle.width, handle.height], zoom: zoom.height};
    }""")
    assert geometry["page"] <= geometry["view"], (state, geometry)  # nothing sticks out
    left, right, width = geometry["stage"]
    assert left >= 0 and right <= geometry["view"] and width > 200, (state, geometry)
    # The square is the picture's middle two thirds, unmirrored in Arabic.
    assert abs(geometry["box"][0] - (left + width / 6)) < 2, (state, geometry)
    assert min(geometry["handle"]) >= 44 and geometry["zoom"] >= 44, (state, geometry)
    assert page.locator("[data-crop-status]").text_content().strip()  # said in words
    violations = run_axe(page)
    page.emulate_media(color_scheme="dark")
    violations += [dict(v, theme="dark") for v in run_axe(page, DARK_RULES)]
    assert violations == [], (state, violations)
    if SHOTS:
        page.emulate_media(color_scheme="light")
        name = f"crop-{'phone' if viewport['width'] < 640 else 'desktop'}-{language}"
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    page.close()
