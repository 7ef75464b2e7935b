"""The authorization matrix of moderation: every route and socket event, by role, by target scope.

Roles: anonymous, member of cohort A, member of cohort B, mentor of A, facilitator (cohort
moderator) of A, global moderator, admin. Targets: content (or a person) in cohort A, in cohort B,
or global. Each cell asserts the response (status / ack) AND the database effect: an allowed
action changed the row, a refused one left it untouched.

The list of routes comes from `app.url_map` (every endpoint of the `moderation` blueprint) and
the list of socket events from the Socket.IO server: a new route or event without an entry in
ROUTES / SOCKET_EVENTS fails `test_every_route_and_event_is_in_the_matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from forum.extensions import db, socketio
from forum.models import (
    AuditEntry,
    Category,
    Channel,
    CohortRestriction,
    Flag,
    Hold,
    Message,
    Post,
    Thread,
    User,
    utcnow,
)
from tests import chat_helpers, discussions_helpers, factories
from tests.chat_helpers import channel

world = discussions_helpers.world  # the fixture

ROLES = ("anonymous", "member_a", "member_b", "mentor_a", "facilitator_a", "global_mod", "admin")
SCOPES = ("A", "B", "global")
KINDS = ("post", "thread", "message")

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404


# --------------------------------------------------------------------------- expectations


def reads(role: str, scope: str) -> bool:
    """Who may read content of a scope (and so flag it)."""
    if scope == "global" or role in ("global_mod", "admin"):
        return True
    if scope == "A":
        return role in ("member_a", "mentor_a", "facilitator_a")
    return role == "member_b"


def expect_read(role: str, scope: str, kind: str | None = None):
    """Flagging: anyone who can read it."""
    if role == "anonymous":
        return LOGIN
    return OK if reads(role, scope) else NOT_FOUND


def expect_moderate(role: str, scope: str, kind: str | None = None):
    """Content actions: unreadable → 404; readable but not theirs to moderate → 403."""
    if role == "anonymous":
        return LOGIN
    if not reads(role, scope):
        return NOT_FOUND
    if role in ("global_mod", "admin") or (role == "facilitator_a" and scope == "A"):
        return OK
    return FORBIDDEN


def expect_restore(role: str, scope: str, kind: str | None = None):
    """Restoring: a hidden thread is invisible (404) to all but its moderators and author."""
    expected = expect_moderate(role, scope, kind)
    return NOT_FOUND if kind == "thread" and expected == FORBIDDEN else expected


def expect_people(role: str, scope: str, kind: str | None = None):
    """Warn, suspend, lift: global moderators anyone; facilitators their cohorts' members."""
    if role == "anonymous":
        return LOGIN
    if role in ("global_mod", "admin") or (role == "facilitator_a" and scope == "A"):
        return OK
    return FORBIDDEN


def expect_ban(role: str, scope: str, kind: str | None = None):
    """Bans belong to global moderators."""
    if role == "anonymous":
        return LOGIN
    return OK if role in ("global_mod", "admin") else FORBIDDEN


def expect_view(role: str, scope: str, kind: str | None = None):
    """Queue and audit: moderators only; "ok" also means the scope's item is listed."""
    if role == "anonymous":
        return LOGIN
    if role in ("global_mod", "admin"):
        return OK
    if role == "facilitator_a":
        return OK if scope == "A" else "hidden"  # the page opens, the item is not on it
    return FORBIDDEN


# --------------------------------------------------------------------------- the world


@dataclass
class Matrix:
    """The people and places of the matrix."""

    world: discussions_helpers.World
    users: dict[str, User]
    authors: dict[str, User]  # who wrote each scope's content (and is acted on)
    categories: dict[str, Category]
    destinations: dict[str, Category]  # where a move goes, per scope
    channels: dict[str, Channel]
    browsers: dict[str, discussions_helpers.Browser] = field(default_factory=dict)
    seq: int = 0
    world_app: object = None

    def content(self, kind: str, scope: str, *, hidden: bool = False,
                flagged: bool = False) -> int:
        """A fresh item of `kind` in `scope`, optionally hidden or flagged; returns its id."""
        self.seq += 1
        author = self.authors[scope]
        cohort_id = self.categories[scope].cohort_id
        if kind == "message":
            item = Message(channel_id=self.channels[scope].id, author_id=author.id,
                           client_id=f"m{self.seq}", body_source="hi", body_html="<p>hi</p>")
            db.session.add(item)
        else:
            thread = Thread(category_id=self.categories[scope].id, author_id=author.id,
                            title=f"Thread {self.seq}")
            db.session.add(thread)
            db.session.flush()
            first = Post(thread_id=thread.id, author_id=author.id, body_source="start",
                         body_html="<p>start</p>")
            reply = Post(thread_id=thread.id, author_id=author.id, body_source="reply",
                         body_html="<p>reply</p>")
            db.session.add_all([first, reply])
            db.session.flush()
            thread.first_post_id, thread.last_post_id = first.id, reply.id
            thread.post_count = 2
            item = thread if kind == "thread" else reply
        db.session.flush()
        if hidden:
            item.hidden_at = utcnow()
            db.session.add(Hold(target_type=kind, target_id=item.id, reason="earlier"))
        if flagged:
            db.session.add(Flag(target_type=kind, target_id=item.id, cohort_id=cohort_id,
                                user_id=self.world.site_mentor.id, reason="spam"))
        db.session.commit()
        return item.id

    def person(self, scope: str, *, suspended: bool = False) -> int:
        """The person of `scope`, reset to good standing (or suspended: restricted in their
        cohort by its facilitator, site-wide for the global scope); returns their id."""
        person = db.session.get(User, self.authors[scope].id)
        person.banned_at = None
        person.suspended_until = None
        db.session.execute(delete(CohortRestriction).where(
            CohortRestriction.user_id == person.id))
        cohort_id = self.categories[scope].cohort_id
        if suspended and cohort_id is None:
            person.suspended_until = utcnow() + timedelta(days=1)
        elif suspended:
            db.session.add(CohortRestriction(user_id=person.id, cohort_id=cohort_id,
                                             until=utcnow() + timedelta(days=1)))
        db.session.commit()
        return person.id

    def browser(self, role: str) -> discussions_helpers.Browser:
        """A logged-in test client per role (anonymous: none)."""
        if role not in self.browsers:
            self.browsers[role] = discussions_helpers.Browser(
                self.world_app, None if role == "anonymous" else self.users[role])
        return self.browsers[role]


@pytest.fixture
def matrix(world, make, app) -> Matrix:
    """Cohorts A and B from the discussions world, plus authors, an admin and channels."""
    bravo_qa = Category(slug="bravo-qa", name="Bravo questions", cohort_id=world.cohort_b.id)
    db.session.add(bravo_qa)
    db.session.commit()
    users = {
        "member_a": world.amina, "member_b": world.carla, "mentor_a": world.mentor,
        "facilitator_a": world.facilitator, "global_mod": world.moderator,
        "admin": make.user("root", role="admin"),
    }
    authors = {"A": world.bilal, "B": make.user("bea", cohorts=[world.cohort_b]),
               "global": make.user("gus")}
    m = Matrix(world=world, users=users, authors=authors,
               categories={"A": world.lounge_a, "B": world.lounge_b, "global": world.general},
               destinations={"A": world.qa_a, "B": bravo_qa, "global": world.qa},
               channels={"A": channel("general", world.cohort_a),
                         "B": channel("general", world.cohort_b), "global": channel("lobby")})
    m.world_app = app
    return m


# --------------------------------------------------------------------------- routes


def _uid(m: Matrix, role: str) -> int:
    return m.users[role].id if role in m.users else -1  # anonymous: nobody


def _limited(user_id: int) -> bool:
    """Suspended site-wide, or restricted in a cohort (a facilitator's suspension)."""
    return db.session.get(User, user_id).is_suspended() or db.session.scalar(
        select(func.count(CohortRestriction.id)).where(CohortRestriction.user_id == user_id)) > 0


def _hidden(kind):
    model = {"post": Post, "thread": Thread, "message": Message}[kind]
    return lambda item_id: db.session.get(model, item_id).hidden_at is not None


def _deleted(kind):
    model = {"post": Post, "thread": Thread, "message": Message}[kind]
    return lambda item_id: db.session.get(model, item_id).deleted_at is not None


def _open_flags(kind):
    return lambda item_id: db.session.scalar(select(func.count(Flag.id)).where(
        Flag.target_type == kind, Flag.target_id == item_id, Flag.resolved_at.is_(None)))


@dataclass
class Route:
    """How to exercise one endpoint (per content kind where the URL takes one)."""

    expect: object
    method: str
    url: object  # (item_id, kind) -> path
    prepare: object  # (matrix, kind, scope) -> item id
    effect: object  # (matrix, kind, role) -> callable(item_id) -> bool: did the action happen?
    kinds: tuple = (None,)
    data: dict = field(default_factory=dict)
    page_check: bool = False  # GET pages: "ok" also means the item is listed


def _content_route(action: str, prepare_kw: dict, effect, expect=expect_moderate,
                   data=None) -> Route:
    return Route(expect, "POST", lambda i, k: f"/moderation/{k}/{i}/{action}",
                 lambda m, k, s: m.content(k, s, **prepare_kw), effect, KINDS,
                 data or {"reason": "Matrix reason"})


ROUTES: dict[str, Route] = {
    "moderation.flag": Route(
        expect_read, "POST", lambda i, k: f"/flag/{k}/{i}", lambda m, k, s: m.content(k, s),
        lambda m, k, role: lambda i: db.session.scalar(select(func.count(Flag.id)).where(
            Flag.target_type == k, Flag.target_id == i,
            Flag.user_id == _uid(m, role))) == 1,
        KINDS, {"reason": "spam"}),
    "moderation.hide": _content_route("hide", {}, lambda m, k, r: _hidden(k)),
    "moderation.restore": _content_route(
        "restore", {"hidden": True}, lambda m, k, r: lambda i: not _hidden(k)(i),
        expect=expect_restore),
    "moderation.keep": _content_route(
        "keep", {"flagged": True}, lambda m, k, r: lambda i: _open_flags(k)(i) == 0),
    "moderation.delete": _content_route("delete", {}, lambda m, k, r: _deleted(k)),
    "moderation.edit_post": Route(
        expect_moderate, "POST", lambda i, k: f"/moderation/post/{i}/edit",
        lambda m, k, s: m.content("post", s),
        lambda m, k, r: lambda i: db.session.get(Post, i).body_source == "Corrected",
        data={"body": "Corrected", "reason": "typo"}),
    "moderation.thread_state": Route(
        expect_moderate, "POST", lambda i, k: f"/moderation/thread/{i}/state",
        lambda m, k, s: m.content("thread", s),
        lambda m, k, r: lambda i: db.session.get(Thread, i).is_locked,
        data={"change": "lock"}),
    "moderation.move": Route(
        expect_moderate, "POST", lambda i, k: f"/moderation/thread/{i}/move",
        lambda m, k, s: (m.content("thread", s), s),
        lambda m, k, r: lambda pair: db.session.get(Thread, pair[0]).category_id
        == m.destinations[pair[1]].id,
        data={"reason": "better place"}),
    "moderation.person": Route(
        expect_people, "GET", lambda i, k: f"/moderation/people/{i}",
        lambda m, k, s: m.person(s), lambda m, k, r: lambda i: True),
    "moderation.warn": Route(
        expect_people, "POST", lambda i, k: f"/moderation/people/{i}/warn",
        lambda m, k, s: m.person(s),
        lambda m, k, r: lambda i: db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "warn", AuditEntry.target_id == i,
            AuditEntry.actor_id == _uid(m, r))) == 1,
        data={"reason": "Mind your tone"}),
    "moderation.suspend": Route(
        expect_people, "POST", lambda i, k: f"/moderation/people/{i}/suspend",
        lambda m, k, s: m.person(s),
        lambda m, k, r: _limited,
        data={"days": "1", "hours": "0", "reason": "Cool down"}),
    "moderation.ban": Route(
        expect_ban, "POST", lambda i, k: f"/moderation/people/{i}/ban",
        lambda m, k, s: m.person(s),
        lambda m, k, r: lambda i: db.session.get(User, i).banned_at is not None,
        data={"reason": "Spam account"}),
    "moderation.lift": Route(
        expect_people, "POST", lambda i, k: f"/moderation/people/{i}/lift",
        lambda m, k, s: m.person(s, suspended=True),
        lambda m, k, r: lambda i: not _limited(i),
        data={"reason": "Served"}),
    "moderation.queue": Route(
        expect_view, "GET", lambda i, k: "/moderation",
        lambda m, k, s: m.content("post", s, flagged=True),
        lambda m, k, r: None, page_check=True),
    "moderation.audit_log": Route(
        expect_view, "GET", lambda i, k: "/moderation/audit",
        lambda m, k, s: _audit_entry(m, s), lambda m, k, r: None, page_check=True),
}


def _audit_entry(m: Matrix, scope: str) -> int:
    m.seq += 1
    entry = AuditEntry(actor_id=m.world.moderator.id, actor_name="moderator", action="lock",
                       target_type="thread", target_id=900000 + m.seq,
                       cohort_id=m.categories[scope].cohort_id, reason="x")
    db.session.add(entry)
    db.session.commit()
    return entry.target_id


def _marker(endpoint: str, item) -> str:
    """What a listed item looks like on the queue / audit page."""
    return f'id="queue-post-{item}"' if endpoint == "moderation.queue" else f"#{item}</td>"


def _run_http(m: Matrix, endpoint: str, route: Route) -> list[str]:
    failures = []
    for kind in route.kinds:
        for role in ROLES:
            for scope in SCOPES:
                expected = route.expect(role, scope, kind)
                prepared = route.prepare(m, kind, scope)
                item = prepared[0] if isinstance(prepared, tuple) else prepared
                data = dict(route.data)
                if endpoint == "moderation.move":
                    data["category_id"] = str(m.destinations[scope].id)
                client = m.browser(role)
                path = route.url(item, kind)
                response = client.get(path) if route.method == "GET" else client.post(path,
                                                                                      data=data)
                db.session.expire_all()
                cell = f"{endpoint}[{kind}] {role} / {scope}"
                status = response.status_code
                if expected == LOGIN:
                    ok = status == 302 and "/login" in response.headers["Location"]
                elif route.page_check:
                    listed = _marker(endpoint, item) in response.text
                    ok = (status == 200 and listed) if expected == OK else \
                        (status == 200 and not listed) if expected == "hidden" else \
                        status == expected
                elif expected == OK:
                    ok = status in (200, 303) if route.method == "GET" else status == 303
                else:
                    ok = status == expected
                effect = route.effect(m, kind, role)
                if effect is not None and route.method == "POST":
                    happened = effect(prepared)
                    ok = ok and happened == (expected == OK)
                if not ok:
                    failures.append(f"{cell}: expected {expected}, got {status}")
    return failures


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_http_matrix(matrix, endpoint):
    failures = _run_http(matrix, endpoint, ROUTES[endpoint])
    assert failures == [], "\n".join(failures)


# --------------------------------------------------------------------------- socket events


SOCKET_EVENTS = {
    "flag:create": (expect_read, {}, lambda k: lambda i: db.session.scalar(
        select(func.count(Flag.id)).where(Flag.target_type == k, Flag.target_id == i)) == 1,
        {"reason": "harassment"}),
    "moderation:hide": (expect_moderate, {}, _hidden, {"reason": "Live hide"}),
    "moderation:restore": (expect_restore, {"hidden": True},
                           lambda k: lambda i: not _hidden(k)(i), {"reason": "ok"}),
}


@pytest.mark.parametrize("event", sorted(SOCKET_EVENTS))
def test_socket_matrix(matrix, app, socket_client, event):
    expect, prepare_kw, effect, extra = SOCKET_EVENTS[event]
    anonymous = socket_client(app.test_client())
    assert not anonymous.is_connected()  # the anonymous row: refused at connect, for every cell
    failures = []
    for role in ROLES[1:]:
        sock = chat_helpers.connect(app, socket_client, matrix.users[role].email)
        for kind in KINDS:
            for scope in SCOPES:
                item = matrix.content(kind, scope, **prepare_kw)
                ack = sock.emit(event, {"target_type": kind, "target_id": item, **extra})
                db.session.expire_all()
                expected = expect(role, scope, kind)
                if expected == OK:
                    ok = ack.get("ok") is True
                else:
                    code = {FORBIDDEN: "forbidden", NOT_FOUND: "not_found"}[expected]
                    ok = ack.get("ok") is False and ack["error"]["code"] == code
                ok = ok and effect(kind)(item) == (expected == OK)
                if not ok:
                    failures.append(f"{event}[{kind}] {role} / {scope}: expected {expected}, "
                                    f"got {ack}")
        sock.disconnect()
    assert failures == [], "\n".join(failures)


def test_every_route_and_event_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("moderation.")}
    assert endpoints == set(ROUTES)
    events = {name for name in socketio.server.handlers["/"]
              if name.startswith(("moderation:", "flag:"))}
    assert events == set(SOCKET_EVENTS)


def test_matrix_users_are_what_they_claim(matrix):
    """The matrix rests on these memberships; a factory change must not silently void it."""
    from forum.services import access

    users = matrix.users
    assert access.moderated_cohort_ids(users["facilitator_a"]) == {matrix.world.cohort_a.id}
    assert access.cohort_role(users["mentor_a"], matrix.world.cohort_a.id) == "mentor"
    assert access.member_cohort_ids(users["member_b"]) == {matrix.world.cohort_b.id}
    assert users["global_mod"].is_global_moderator and not users["global_mod"].is_admin
    assert users["admin"].is_admin
    assert factories.PASSWORD
