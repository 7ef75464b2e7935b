"""Uploads: what is stored (cleaned, checked by content), who may fetch it (the readers of what
it is attached to, now), the limits, and the clean-up — on local storage and on a real S3 API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from forum.extensions import db
from forum.models import CohortMembership, Upload, User
from forum.services import chat, cohorts, discussions, uploads
from forum.services.moderation import content as moderation
from tests import chat_helpers, discussions_helpers, factories, uploads_helpers
from tests.api_helpers import token_for
from tests.uploads_helpers import (
    GPS_IFD,
    fetch,
    jpeg_with_location,
    pdf,
    png,
    upload,
)

world = discussions_helpers.world  # the fixtures
s3_endpoint = uploads_helpers.s3_endpoint


@pytest.fixture
def storage_kind(request) -> str:
    """The embedded folder; tests marked BOTH_STORES also run on an S3-compatible server."""
    return getattr(request, "param", "local")


BOTH_STORES = pytest.mark.parametrize("storage_kind", ["local", "s3"], indirect=True)


@pytest.fixture
def app_config(request, app_config, storage_kind):
    """The suite's configuration, this test's overrides (indirect), and the storage."""
    config = {**app_config, **getattr(request, "param", {})}
    if storage_kind == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())
        config.update(UPLOADS_S3_BUCKET=f"t-{bucket}"[:60].strip("-"),
                      UPLOADS_S3_ENDPOINT=endpoint, UPLOADS_S3_ACCESS_KEY="test",
                      UPLOADS_S3_SECRET_KEY="test")
    return config


@pytest.fixture(autouse=True)
def _bucket(app):
    storage = app.extensions["commons_storage"]
    if hasattr(storage, "ensure_bucket"):
        storage.ensure_bucket()


def _send(app, user: User, data: bytes, name: str) -> dict:
    response = upload(app, token_for(user), data, name)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@BOTH_STORES
def test_photo_is_stored_without_its_location_and_upright(app, world):
    body = _send(app, world.amina, jpeg_with_location(size=(64, 48), orientation=6), "me.jpg")
    assert body["kind"] == "image" and body["content_type"] == "image/jpeg"
    assert body["markdown"] == f"![me]({body['url']})"
    served = fetch(app, body["url"], token_for(world.amina))
    assert served.status_code == 200
    picture = Image.open(io.BytesIO(served.data))
    exif = picture.getexif()
    assert GPS_IFD not in exif and 0x010F not in exif  # no position, no camera
    assert picture.size == (48, 64)  # orientation 6 applied: turned upright
    assert (body["width"], body["height"]) == (48, 64)
    row = db.session.scalar(select(Upload).where(Upload.token == body["token"]))
    assert row.owner_id == world.amina.id and row.attached_at is None and row.size == len(
        served.data)


def test_an_unposted_upload_is_its_uploaders_only(app, world):
    body = _send(app, world.amina, png(), "draft.png")
    assert fetch(app, body["url"], token_for(world.amina)).status_code == 200
    for other in (world.bilal, world.moderator, world.carla):
        assert fetch(app, body["url"], token_for(other)).status_code == 404
    assert fetch(app, body["url"]).status_code == 404  # logged out


@BOTH_STORES
def test_a_file_in_a_cohort_space_follows_the_space(app, world):
    body = _send(app, world.amina, pdf(), "Terms of reference.pdf")
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "ToR",
                                       f"Here: {body['markdown']}")
    row = db.session.scalar(select(Upload).where(Upload.token == body["token"]))
    assert row.post_id == thread.first_post_id and row.attached_at is not None
    for reader in (world.amina, world.bilal, world.facilitator, world.moderator):
        assert fetch(app, body["url"], token_for(reader)).status_code == 200
    for outsider in (world.carla, world.site_mentor):
        assert fetch(app, body["url"], token_for(outsider)).status_code == 404
    assert fetch(app, body["url"]).status_code == 404
    served = fetch(app, body["url"], token_for(world.bilal))
    assert served.data == pdf()
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["Cache-Control"] == "private, no-cache"
    # Revalidation is a 304 for a reader, and still a 404 for an outsider.
    etag = served.headers["ETag"]
    assert fetch(app, body["url"], token_for(world.bilal), **{"If-None-Match": etag}
                 ).status_code == 304
    assert fetch(app, body["url"], token_for(world.carla), **{"If-None-Match": etag}
                 ).status_code == 404


def test_access_follows_moves_hiding_and_removal(app, world):
    body = _send(app, world.amina, png(), "cohort.png")
    thread = discussions.create_thread(world.amina, world.general.id, "Photo",
                                       body["markdown"])
    assert fetch(app, body["url"], token_for(world.carla)).status_code == 200  # general: all
    moderation.move_thread(world.moderator, thread.id, world.lounge_a.id)
    assert fetch(app, body["url"], token_for(world.carla)).status_code == 404  # now cohort A's
    assert fetch(app, body["url"], token_for(world.bilal)).status_code == 200
    moderation.hide(world.moderator, "post", thread.first_post_id, "Private photo")
    assert fetch(app, body["url"], token_for(world.bilal)).status_code == 404
    assert fetch(app, body["url"], token_for(world.facilitator)).status_code == 200  # moderates
    moderation.restore(world.moderator, "post", thread.first_post_id, "OK")
    assert fetch(app, body["url"], token_for(world.bilal)).status_code == 200
    admin = factories.user("admin", role="admin")
    membership_id = db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.user_id == world.bilal.id))
    cohorts.remove_member(admin, world.cohort_a.id, membership_id)
    assert fetch(app, body["url"], token_for(world.bilal)).status_code == 404


@BOTH_STORES
def test_a_file_in_chat_follows_the_channel(app, world):
    channel = chat_helpers.channel("alpha-chat", world.cohort_a)
    body = _send(app, world.bilal, png(), "whiteboard.png")
    message = chat.send_message(world.bilal, channel.id, f"Notes {body['markdown']}", "c-1")
    assert db.session.scalar(select(Upload.message_id).where(
        Upload.token == body["token"])) == message.id
    assert 'src="/files/' in message.body_html and "?size=thumb" in message.body_html
    assert fetch(app, body["url"], token_for(world.amina)).status_code == 200
    assert fetch(app, body["url"], token_for(world.carla)).status_code == 404
    chat.delete_message(world.bilal, message.id)
    assert fetch(app, body["url"], token_for(world.amina)).status_code == 404


def test_someone_elses_file_is_not_attached_to_my_post(app, world):
    body = _send(app, world.amina, png(), "mine.png")
    discussions.create_thread(world.carla, world.lounge_b.id, "Look", body["markdown"])
    assert db.session.scalar(select(Upload.post_id).where(Upload.token == body["token"])) is None
    assert fetch(app, body["url"], token_for(world.carla)).status_code == 404


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"<html><script>alert(1)</script></html>", "cat.png", "type_not_allowed"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "type_not_allowed"),
    (b"<!DOCTYPE html><p>hi</p>", "notes.txt", "type_not_allowed"),
    (pdf(), "photo.jpg", "type_not_allowed"),
    (png(), "photo.exe", "type_not_allowed"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "setup.pdf", "type_not_allowed"),
    (b"\x89PNG\r\n\x1a\nnot really a png", "broken.png", "unreadable"),
    (b"", "empty.txt", "empty"),
])
def test_spoofed_dangerous_and_broken_files_are_refused(app, world, data, name, code):
    response = upload(app, token_for(world.amina), data, name)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert "file" in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(Upload.id)) is None  # nothing half-written


def test_text_and_office_documents_are_accepted(app, world):
    import zipfile

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert _send(app, world.amina, docx.getvalue(), "cv.docx")["content_type"].endswith(
        "wordprocessingml.document")
    assert _send(app, world.amina, "نقاط الاجتماع\n".encode(), "notes.txt")[
        "content_type"] == "text/plain"


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_PIXELS": 1_000_000}], indirect=True)
def test_a_picture_with_too_many_pixels_is_refused_before_decoding(app, world):
    out = io.BytesIO()
    Image.new("1", (4000, 4000)).save(out, "PNG")  # small file, 16 megapixels
    assert len(out.getvalue()) < 100_000
    response = upload(app, token_for(world.amina), out.getvalue(), "bomb.png")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "too_many_pixels"


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_BYTES": 20_000,
                                         "UPLOAD_QUOTA_BYTES": 30_000}], indirect=True)
def test_size_limit_and_quota(app, world):
    too_big = upload(app, token_for(world.amina), b"x" * 20_001, "big.txt")
    assert too_big.status_code == 413
    assert too_big.get_json()["error"]["code"] == "too_large"
    _send(app, world.amina, b"y" * 18_000, "first.txt")
    over = upload(app, token_for(world.amina), b"z" * 18_000, "second.txt")
    assert over.status_code == 413 and over.get_json()["error"]["code"] == "quota_exceeded"
    use = fetch(app, "/api/v1/me/storage", token_for(world.amina)).get_json()
    assert use["used_bytes"] == 18_000 and use["quota_bytes"] == 30_000
    # A body far over the limit is refused before it is read.
    huge = upload(app, token_for(world.amina), b"w" * 200_000, "huge.txt")
    assert huge.status_code == 413


def test_a_ten_megabyte_body_reaches_the_upload_route_but_not_others(app, world):
    data = b"a" * (5 * 1024 * 1024)
    assert upload(app, token_for(world.amina), data, "big.txt").status_code == 201
    other = upload(app, token_for(world.amina), data, "big.txt", path="/api/v1/threads")
    assert other.status_code == 413


@BOTH_STORES
def test_owner_removes_a_file_everywhere(app, world):
    body = _send(app, world.amina, png(), "oops.png")
    discussions.create_thread(world.amina, world.lounge_a.id, "Oops", body["markdown"])
    client_token = token_for(world.bilal)
    assert fetch(app, body["url"], client_token).status_code == 200
    client = app.test_client()
    deleted = client.delete(f"/api/v1/uploads/{body['token']}",
                            headers={"Authorization": f"Bearer {token_for(world.bilal)}"})
    assert deleted.status_code == 404  # not bilal's
    deleted = client.delete(f"/api/v1/uploads/{body['token']}",
                            headers={"Authorization": f"Bearer {token_for(world.amina)}"})
    assert deleted.status_code == 204
    assert fetch(app, body["url"], client_token).status_code == 404


@BOTH_STORES
def test_cleanup_deletes_old_orphans_and_keeps_what_is_used(app, world):
    orphan = _send(app, world.amina, png(), "never-posted.png")
    used = _send(app, world.amina, png(colour=(1, 2, 3)), "posted.png")
    discussions.create_thread(world.amina, world.lounge_a.id, "Used", used["markdown"])
    row = db.session.scalar(select(Upload).where(Upload.token == orphan["token"]))
    row.created_at = row.created_at - timedelta(hours=25)
    db.session.commit()
    assert uploads.cleanup() == 1
    assert db.session.scalar(select(Upload.id).where(Upload.token == orphan["token"])) is None
    storage = app.extensions["commons_storage"]
    with pytest.raises(FileNotFoundError):
        b"".join(storage.stream(row.storage_key))
    assert fetch(app, used["url"], token_for(world.bilal)).status_code == 200


def test_cli_cleans_uploads(app, runner, world):
    result = runner.invoke(args=["forum", "clean-uploads"])
    assert result.exit_code == 0 and "Deleted 0 file(s)." in result.output


@BOTH_STORES
def test_avatar_is_square_shown_to_members_and_removable(app, world, client, auth):
    big = Image.new("RGB", (900, 500), (0, 128, 0))
    out = io.BytesIO()
    big.save(out, "PNG")
    response = upload(app, token_for(world.amina), out.getvalue(), "me.png",
                      path="/api/v1/me/avatar", method="PUT")
    assert response.status_code == 200
    db.session.expire_all()
    token = db.session.get(User, world.amina.id).avatar_token
    assert token == response.get_json()["token"]
    served = fetch(app, f"/avatars/{world.amina.id}/{token}", token_for(world.carla))
    assert served.status_code == 200 and Image.open(io.BytesIO(served.data)).size == (256, 256)
    assert fetch(app, f"/avatars/{world.amina.id}/{token}").status_code == 404  # members only
    auth.login(world.amina.email)
    page = client.get("/").get_data(as_text=True)
    assert f'src="/avatars/{world.amina.id}/{token}"' in page  # the header's picture
    removed = app.test_client().delete(
        "/api/v1/me/avatar", headers={"Authorization": f"Bearer {token_for(world.amina)}"})
    assert removed.status_code == 204
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).avatar_token is None
    assert fetch(app, f"/avatars/{world.amina.id}/{token}", token_for(world.carla)
                 ).status_code == 404
    assert 'src="/avatars/' not in client.get("/").get_data(as_text=True)


def test_an_old_avatar_url_shows_the_current_picture(app, world):
    first = upload(app, token_for(world.amina), png(colour=(255, 0, 0)), "a.png",
                   path="/api/v1/me/avatar", method="PUT").get_json()["token"]
    upload(app, token_for(world.amina), png(colour=(0, 0, 255)), "b.png",
           path="/api/v1/me/avatar", method="PUT")
    stale = fetch(app, f"/avatars/{world.amina.id}/{first}", token_for(world.bilal))
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "private, no-cache"
    assert Image.open(io.BytesIO(stale.data)).convert("RGB").getpixel((5, 5)) == (0, 0, 255)


def test_a_document_is_not_accepted_as_an_avatar(app, world):
    response = upload(app, token_for(world.amina), pdf(), "me.pdf", path="/api/v1/me/avatar",
                      method="PUT")
    assert response.status_code == 422


@pytest.mark.parametrize("app_config", [{"UPLOADS_ACCEL_REDIRECT": "/_uploads/"}],
                         indirect=True)
def test_nginx_sends_local_files_after_the_check(app, world):
    body = _send(app, world.amina, png(), "x.png")
    served = fetch(app, body["url"], token_for(world.amina))
    storage = app.extensions["commons_storage"]
    if storage.local_path("a") is None:  # S3: streamed by the app
        assert served.data == b"".join(storage.stream(
            db.session.scalar(select(Upload.storage_key))))
        return
    assert served.headers["X-Accel-Redirect"].startswith("/_uploads/")
    assert served.data == b""
    assert fetch(app, body["url"], token_for(world.carla)).headers.get(
        "X-Accel-Redirect") is None


@BOTH_STORES
def test_large_picture_gets_a_thumbnail(app, world):
    body = _send(app, world.amina, png(size=(2000, 1000)), "wide.png")
    assert body["thumbnail_url"].endswith("?size=thumb")
    thumb = fetch(app, body["thumbnail_url"], token_for(world.amina))
    assert Image.open(io.BytesIO(thumb.data)).size == (800, 400)
    assert Image.open(io.BytesIO(fetch(app, body["url"], token_for(world.amina)).data)
                      ).size == (2000, 1000)


def test_factories_user_has_no_avatar(ctx):
    assert factories.user("zed").avatar_token is None


def test_a_cohorts_resources_list_what_the_reader_may_read(app, world, client, auth):
    shared = _send(app, world.amina, pdf(), "Vacancy note.pdf")
    discussions.create_thread(world.amina, world.lounge_a.id, "Vacancy", shared["markdown"])
    private = _send(app, world.amina, png(), "salary-slip.png")
    discussions.create_thread(world.amina, world.ask_a.id, "Am I paid enough?",
                              private["markdown"])  # ask-a-mentor: mentors and the author
    channel = chat_helpers.channel("alpha-chat", world.cohort_a)
    photo = _send(app, world.bilal, png(colour=(9, 9, 9)), "whiteboard.png")
    chat.send_message(world.bilal, channel.id, photo["markdown"], "c-9")
    auth.login(world.bilal.email)
    page = client.get("/cohorts/cohort-a/files").get_data(as_text=True)
    assert "Vacancy note.pdf" in page and "whiteboard.png" in page
    assert "salary-slip" not in page  # someone else's ask-a-mentor question
    assert 'href="/p/' in page and 'href="/chat/' in page
    only_pictures = client.get("/cohorts/cohort-a/files?kind=image").get_data(as_text=True)
    assert "whiteboard.png" in only_pictures and "Vacancy note.pdf" not in only_pictures
    by_amina = client.get("/cohorts/cohort-a/files?person=amina").get_data(as_text=True)
    assert "Vacancy note.pdf" in by_amina and "whiteboard.png" not in by_amina
    by_name = client.get("/cohorts/cohort-a/files?q=VACANCY").get_data(as_text=True)
    assert "Vacancy note.pdf" in by_name and "whiteboard.png" not in by_name
    space = client.get("/c/alpha-lounge/files").get_data(as_text=True)
    assert "Vacancy note.pdf" in space and "whiteboard.png" not in space
    auth.logout()
    auth.login(world.mentor.email)
    assert "salary-slip.png" in client.get("/cohorts/cohort-a/files").get_data(as_text=True)
    auth.logout()
    auth.login(world.carla.email)
    assert client.get("/cohorts/cohort-a/files").status_code == 404
    assert client.get("/c/alpha-lounge/files").status_code == 404


def test_my_files_page_sets_and_removes_my_picture(app, world, client, auth):
    auth.login(world.amina.email)
    page = client.get("/settings/files")
    assert page.status_code == 200 and "You use" in page.get_data(as_text=True)
    refused = client.post("/settings/avatar", data={"picture": (io.BytesIO(pdf()), "me.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "cannot be shared" in refused.get_data(as_text=True)
    saved = client.post("/settings/avatar", data={"picture": (io.BytesIO(png()), "me.png")},
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).avatar_token
    client.post("/settings/avatar/remove")
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).avatar_token is None


def test_a_moderator_of_the_space_removes_a_file(app, world):
    body = _send(app, world.bilal, png(), "spam.png")
    discussions.create_thread(world.bilal, world.lounge_a.id, "A special offer", body["markdown"])
    client = app.test_client()
    url = f"/api/v1/uploads/{body['token']}"
    outsider = client.delete(url, headers={"Authorization": f"Bearer {token_for(world.carla)}"})
    assert outsider.status_code == 404
    member = client.delete(url, headers={"Authorization": f"Bearer {token_for(world.amina)}"})
    assert member.status_code == 404  # reads it, does not moderate it
    removed = client.delete(url, headers={
        "Authorization": f"Bearer {token_for(world.facilitator)}"})
    assert removed.status_code == 204
    assert fetch(app, body["url"], token_for(world.amina)).status_code == 404


def test_a_file_in_a_direct_message_is_for_its_two_people(app, world):
    dm = chat.open_direct_channel(world.amina, [world.carla.username])
    body = _send(app, world.amina, pdf(), "cv.pdf")
    chat.send_message(world.amina, dm.id, body["markdown"], "dm-1")
    assert fetch(app, body["url"], token_for(world.carla)).status_code == 200
    for outsider in (world.bilal, world.moderator, world.facilitator):
        assert fetch(app, body["url"], token_for(outsider)).status_code == 404
    assert "PDF · 1 KB" in body["markdown"]
