"""The JSON API's resources: the pages' permission rules, cursors, idempotent sends, admin."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Channel, ChannelKind, Invitation, Message, Post, Thread
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import world  # noqa: F401 - fixture


@pytest.fixture
def api(app, world):  # noqa: F811
    """Clients with write tokens for the people of the world."""
    app.config["MODERATION_NEW_MEMBER_DAYS"] = 0  # these people are not new: no stricter limits
    return {name: ApiClient(app, token_for(getattr(world, name)))
            for name in ("amina", "bilal", "carla", "mentor", "moderator")}


@pytest.fixture
def channels(world):  # noqa: F811
    """A cohort A channel and a cohort B channel."""
    a = Channel(kind=ChannelKind.COHORT.value, cohort_id=world.cohort_a.id, name="general",
                slug="a-general")
    b = Channel(kind=ChannelKind.COHORT.value, cohort_id=world.cohort_b.id, name="general",
                slug="b-general")
    db.session.add_all([a, b])
    db.session.commit()
    return a, b


def test_me_profile_and_cohorts(api, world):  # noqa: F811
    me = api["amina"].get("/me")
    assert me.status_code == 200
    assert me.json["username"] == "amina" and me.json["email"] == "amina@example.org"
    assert [c["slug"] for c in me.json["cohorts"]] == ["cohort-a"]
    changed = api["amina"].patch("/me", json={"organisation": "UNDP", "expertise": ["gender"]})
    assert changed.status_code == 200, changed.json
    assert changed.json["organisation"] == "UNDP" and changed.json["expertise"] == ["gender"]
    bad = api["amina"].patch("/me", json={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "timezone" in bad.json["error"]["fields"]
    assert api["amina"].patch("/me", json={"nope": 1}).json["error"]["fields"] == {
        "nope": "Unknown field."}
    # Carla sees Amina's profile but not her cohort (private), and not Amina's email.
    other = api["carla"].get("/users/amina").json
    assert other["cohorts"] == [] and "email" not in other
    assert api["amina"].get("/cohorts").json[0]["role"] == "member"
    page = api["amina"].get("/cohorts/cohort-a").json
    assert "amina" in [m["username"] for m in page["members"]]
    assert api["carla"].get("/cohorts/cohort-a").status_code == 404


def test_other_cohorts_content_is_404(api, world, channels):  # noqa: F811
    created = api["amina"].post("/threads", json={
        "category_id": world.lounge_a.id, "title": "Alpha only", "body": "secret"})
    assert created.status_code == 201, created.json
    thread_id, post_id = created.json["id"], created.json["first_post_id"]
    carla = api["carla"]
    assert "alpha-lounge" not in [c["slug"] for c in carla.get("/categories").json]
    for path in (f"/threads/{thread_id}", f"/threads/{thread_id}/posts", f"/posts/{post_id}",
                 "/categories/alpha-lounge/threads", f"/channels/{channels[0].id}/messages"):
        response = carla.get(path)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"
    for method, path, body in [
            ("POST", f"/threads/{thread_id}/posts", {"body": "hi"}),
            ("PUT", f"/posts/{post_id}/reactions/like", None),
            ("POST", "/threads", {"category_id": world.lounge_a.id, "title": "x" * 5,
                                  "body": "b"}),
            ("POST", f"/channels/{channels[0].id}/messages", {"body": "hi", "client_id": "c1"})]:
        response = carla.call(method, path, json=body)
        assert response.status_code == 404, (path, response.json)
    assert db.session.scalar(select(func.count()).select_from(Post)) == 1
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_thread_reply_edit_react_accept_delete(api, world):  # noqa: F811
    amina, bilal = api["amina"], api["bilal"]
    thread = amina.post("/threads", json={"category_id": world.qa_a.id, "title": "Per diem?",
                                          "body": "How is DSA *computed*?",
                                          "tags": ["travel"]}).json
    assert thread["tags"] == ["travel"] and thread["first_post"]["html"].startswith("<p>")
    reply = bilal.post(f"/threads/{thread['id']}/posts", json={"body": "Ask HR"})
    assert reply.status_code == 201 and reply.json["author"]["username"] == "bilal"
    post_id = reply.json["id"]
    edited = bilal.patch(f"/posts/{post_id}", json={"body": "Ask HR, <script>x</script>"})
    assert edited.status_code == 200 and "<script>" not in edited.json["html"]
    assert amina.patch(f"/posts/{post_id}", json={"body": "mine"}).status_code == 403
    counts = amina.put(f"/posts/{post_id}/reactions/helpful")
    assert counts.status_code == 200 and counts.json["counts"] == {"helpful": 1}
    assert amina.put(f"/posts/{post_id}/reactions/helpful").json["counts"] == {"helpful": 1}
    assert amina.put(f"/posts/{post_id}/reactions/wow").status_code == 422
    assert bilal.put(f"/posts/{post_id}/accepted").status_code == 403  # not author, not mentor
    accepted = amina.put(f"/posts/{post_id}/accepted")
    assert accepted.status_code == 200 and accepted.json["accepted_post_id"] == post_id
    assert amina.get(f"/threads/{thread['id']}").json["accepted_post_id"] == post_id
    assert amina.delete(f"/posts/{post_id}/reactions/helpful").json["counts"] == {}
    deleted = bilal.delete(f"/posts/{post_id}")
    assert deleted.status_code == 200 and deleted.json["deleted"] and deleted.json["body"] == ""
    assert amina.get(f"/threads/{thread['id']}").json["accepted_post_id"] is None
    first = thread["first_post"]["id"]
    assert amina.delete(f"/posts/{first}").json["error"]["code"] == "first_post"
    missing = amina.post("/threads", json={"category_id": world.qa_a.id, "title": "  ",
                                           "body": ""})
    assert missing.status_code == 422
    assert set(missing.json["error"]["fields"]) == {"title", "body"}


def test_cursor_pagination_of_threads_and_posts(app, api, world, queries):  # noqa: F811
    app.config["RATELIMIT_POSTING"] = "1000 per minute"
    amina = api["amina"]
    ids = [amina.post("/threads", json={"category_id": world.general.id,
                                        "title": f"Thread {n}", "body": "b"}).json["id"]
           for n in range(33)]
    seen, cursor, pages = [], None, 0
    while True:
        page = amina.get("/categories/general/threads",
                         query_string={"cursor": cursor} if cursor else {}).json
        seen += [t["id"] for t in page["threads"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 2 and seen == list(reversed(ids))
    assert amina.get("/categories/general/threads",
                     query_string={"cursor": "garbage"}).status_code == 422
    thread_id = ids[0]
    for n in range(4):
        api["bilal"].post(f"/threads/{thread_id}/posts", json={"body": f"reply {n}"})
    got, cursor = [], None
    while True:
        page = amina.get(f"/threads/{thread_id}/posts",
                         query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}).json
        got += [p["body"] for p in page["posts"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert got == ["b", "reply 0", "reply 1", "reply 2", "reply 3"]
    # A page of posts costs the same number of queries however long the thread is.
    with queries() as short:
        amina.get(f"/threads/{thread_id}/posts", query_string={"limit": 2})
    with queries() as long:
        amina.get(f"/threads/{thread_id}/posts", query_string={"limit": 5})
    assert len(short) == len(long)


def test_messages_idempotent_send_and_history_cursor(api, world, channels):  # noqa: F811
    channel, _other = channels
    amina = api["amina"]
    body = {"body": "hello **all**", "client_id": "retry-1"}
    first, again = (amina.post(f"/channels/{channel.id}/messages", json=body) for _ in range(2))
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"] and "<strong>all</strong>" in first.json["html"]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    for n in range(4):
        api["bilal"].post(f"/channels/{channel.id}/messages",
                          json={"body": f"m{n}", "client_id": f"b-{n}"})
    listed = {c["id"]: c for c in amina.get("/channels").json}
    assert listed[channel.id]["unread"] == 4 and _other.id not in listed
    ids, cursor = [], None
    while True:
        page = amina.get(f"/channels/{channel.id}/messages",
                         query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}).json
        ids = [m["id"] for m in page["messages"]] + ids
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert ids == sorted(db.session.scalars(select(Message.id)).all())
    assert amina.post(f"/channels/{channel.id}/read", json={}).status_code == 204
    assert amina.get("/channels").json[0]["unread"] == 0
    edited = amina.patch(f"/messages/{first.json['id']}", json={"body": "edited"})
    assert edited.status_code == 200 and edited.json["edited_at"]
    assert api["bilal"].delete(f"/messages/{first.json['id']}").status_code == 404
    bad = amina.post(f"/channels/{channel.id}/messages", json={"body": "x", "client_id": "a b"})
    assert bad.status_code == 422 and "client_id" in bad.json["error"]["fields"]
    dm = amina.post("/direct-channels", json={"usernames": ["carla"]})
    assert dm.status_code == 200 and dm.json["kind"] == "direct"
    assert api["carla"].get(f"/channels/{dm.json['id']}/messages").status_code == 200
    assert api["bilal"].get(f"/channels/{dm.json['id']}/messages").status_code == 404


def test_admin_endpoints(app, api, make, world):  # noqa: F811
    assert api["amina"].get("/admin/cohorts").status_code == 403
    admin = ApiClient(app, token_for(make.user("root", role="admin")))
    created = admin.post("/admin/cohorts", json={"name": "Nairobi 2027",
                                                 "starts_on": "2027-01-18"})
    assert created.status_code == 201, created.json
    cohort_id = created.json["id"]
    assert created.json["slug"] == "nairobi-2027"
    bad = admin.post("/admin/cohorts", json={"name": "X", "starts_on": "2027-02-01",
                                             "ends_on": "2027-01-01"})
    assert bad.status_code == 422 and "ends_on" in bad.json["error"]["fields"]
    member = admin.post(f"/admin/cohorts/{cohort_id}/members",
                        json={"identifier": "amina", "role": "mentor"})
    assert member.status_code == 201 and member.json["role"] == "mentor"
    role = admin.patch(f"/admin/cohorts/{cohort_id}/members/{member.json['id']}",
                       json={"role": "member"})
    assert role.json["role"] == "member"
    invite = admin.post(f"/admin/cohorts/{cohort_id}/invitations",
                        json={"max_uses": 5, "expires_in_days": 7})
    assert invite.status_code == 201 and invite.json["state"] == "active"
    assert invite.json["link"].endswith(invite.json["code"])
    revoked = admin.delete(f"/admin/cohorts/{cohort_id}/invitations/{invite.json['id']}")
    assert revoked.json["state"] == "revoked"
    csv = b"name,email\nZoe Z,zoe@example.org\nBad,not-an-email\n"
    result = admin.post(f"/admin/cohorts/{cohort_id}/roster",
                        data={"file": (io.BytesIO(csv), "roster.csv")},
                        content_type="multipart/form-data")
    assert result.status_code == 200, result.json
    assert [i["email"] for i in result.json["invited"]] == ["zoe@example.org"]
    assert result.json["errors"][0]["line"] == 3
    assert db.session.scalar(select(Invitation.id).where(Invitation.email == "zoe@example.org"))
    archived = admin.patch(f"/admin/cohorts/{cohort_id}", json={"archived": True,
                                                                 "programme": "JPO"})
    assert archived.json["status"] == "alumni" and archived.json["programme"] == "JPO"
    detail = admin.get(f"/admin/cohorts/{cohort_id}").json
    assert len(detail["invitations"]) == 2 and detail["member_count"] == 1
    assert admin.delete(f"/admin/cohorts/{cohort_id}/members/{member.json['id']}"
                        ).status_code == 204
    assert admin.get("/admin/cohorts/999999").status_code == 404
    assert db.session.get(Thread, 1) is None


def test_notifications_search_and_directory(api, world):  # noqa: F811
    amina, bilal, carla = api["amina"], api["bilal"], api["carla"]
    thread = amina.post("/threads", json={"category_id": world.lounge_a.id,
                                          "title": "Quarterly retreat",
                                          "body": "Who joins the zanzibar retreat?"}).json
    bilal.post(f"/threads/{thread['id']}/posts", json={"body": "Me! @amina"})
    listed = amina.get("/notifications")
    assert listed.status_code == 200, listed.json
    assert listed.json["unread"] >= 1 and listed.json["items"]
    first = listed.json["items"][0]
    assert first["actor"]["username"] == "bilal" and not first["read"]
    marked = amina.post(f"/notifications/{first['id']}/read")
    assert marked.status_code == 200 and marked.json["unread"] == listed.json["unread"] - 1
    assert carla.post(f"/notifications/{first['id']}/read").status_code == 404
    assert amina.post("/notifications/read-all").json["unread"] == 0

    hits = amina.get("/search", query_string={"q": "zanzibar"})
    assert hits.status_code == 200, hits.json
    assert [h["thread_id"] for h in hits.json["hits"]] == [thread["id"]]
    assert "<mark>" in hits.json["hits"][0]["snippet"]
    assert carla.get("/search", query_string={"q": "zanzibar"}).json["hits"] == []
    assert amina.get("/search", query_string={"q": "x", "author": "nobody"}).status_code == 422

    people = amina.get("/members", query_string={"name": "bil"})
    assert people.status_code == 200, people.json
    assert [m["username"] for m in people.json["members"]] == ["bilal"]
    assert people.json["members"][0]["cohorts"][0]["slug"] == "cohort-a"
    seen_by_carla = carla.get("/members", query_string={"name": "bil"}).json["members"]
    assert all(c["slug"] != "cohort-a" for m in seen_by_carla for c in m["cohorts"])


def test_list_endpoints_run_a_constant_number_of_queries(app, api, world, channels,  # noqa: F811
                                                         queries):
    app.config["RATELIMIT_POSTING"] = "1000 per minute"
    amina, bilal = api["amina"], api["bilal"]
    channel = channels[0]

    def counts() -> list[int]:
        measured = []
        for path in ("/categories/general/threads", f"/channels/{channel.id}/messages",
                     "/channels", "/categories", "/notifications"):
            with queries() as statements:
                assert amina.get(path).status_code == 200, path
            measured.append(len(statements))
        return measured

    amina.post("/threads", json={"category_id": world.general.id, "title": "One", "body": "b"})
    bilal.post(f"/channels/{channel.id}/messages", json={"body": "m", "client_id": "m-0"})
    few = counts()
    for n in range(6):
        bilal.post("/threads", json={"category_id": world.general.id, "title": f"T {n}",
                                     "body": f"b @amina {n}", "tags": [f"t{n}"]})
        bilal.post(f"/channels/{channel.id}/messages",
                   json={"body": f"m{n}", "client_id": f"m-{n + 1}"})
    assert counts() == few


def test_tokens_page_runs_a_constant_number_of_queries(app, world, queries):  # noqa: F811
    from tests.discussions_helpers import Browser

    browser = Browser(app, world.amina)
    token_for(world.amina)
    with queries() as one:
        assert browser.get("/settings/tokens").status_code == 200
    for _n in range(5):
        token_for(world.amina)
    with queries() as six:
        assert browser.get("/settings/tokens").status_code == 200
    assert len(one) == len(six)
