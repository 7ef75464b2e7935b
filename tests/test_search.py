"""Search service: matching, privacy, index sync, filters, paging — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from forum.errors import Invalid, Unauthorized
from forum.extensions import db
from forum.models import Message, Post, Thread
from forum.models.base import utcnow
from forum.services.search import SearchFilters, parse_terms, search
from forum.services.search.snippets import highlight
from tests import discussions_helpers
from tests import search_helpers as s

world = discussions_helpers.world  # the fixture


def found(user, query, **filters) -> set[tuple[str, int]]:
    """(kind, id) of every hit on the first page."""
    return {(h.kind, h.id) for h in search(user, query, SearchFilters(**filters)).hits}


def test_finds_titles_posts_and_messages_with_marked_snippets(world):
    t = s.thread(world.general, world.amina, "Preparing the competency interview")
    p = s.post(t, world.bilal, "My advice for the interview: use the STAR method.")
    lobby = s.channel("lobby")
    m = s.message(lobby, world.carla, "Anyone has interview tips?")
    s.thread(world.general, world.amina, "Something else entirely")

    results = search(world.amina, "interview")
    kinds = {(h.kind, h.id) for h in results.hits}
    assert {("thread", t.id), ("post", p.id), ("message", m.id)} <= kinds
    assert len(results.hits) == 3
    by_kind = {h.kind: h for h in results.hits}
    assert "<mark>interview</mark>" in by_kind["post"].snippet
    assert by_kind["post"].title == t.title
    assert by_kind["message"].place == "lobby"
    assert by_kind["thread"].author_username == "amina"
    assert results.searched and not results.has_next


def test_prefix_and_accents_both_ways(world):
    t1 = s.thread(world.general, world.amina, "Mon résumé pour Genève")
    t2 = s.thread(world.general, world.amina, "Resume writing workshop")
    assert found(world.bilal, "resu") == {("thread", t1.id), ("thread", t2.id)}
    assert found(world.bilal, "résumé") == {("thread", t1.id), ("thread", t2.id)}
    assert found(world.bilal, "geneve") == {("thread", t1.id)}
    assert found(world.bilal, "GENÈ") == {("thread", t1.id)}
    hit = search(world.bilal, "resume geneve").hits[0]
    assert hit.snippet == "Mon <mark>résumé</mark> pour <mark>Genève</mark>"


def test_all_words_must_match(world):
    t = s.thread(world.general, world.amina, "Research and development budget")
    s.thread(world.general, world.amina, "Research travel")
    assert found(world.bilal, "research budget") == {("thread", t.id)}
    # "AND" is a word like any other, never an operator.
    assert found(world.bilal, "research AND") == {("thread", t.id)}


def test_non_latin_scripts(world):
    arabic = s.thread(world.general, world.amina, "مرحبا بالعالم")
    russian = s.post(arabic, world.bilal, "Привет, коллеги из Женевы")
    chinese = s.post(arabic, world.bilal, "我们的中文搜索很好用")
    assert found(world.bilal, "مرحبا") == {("thread", arabic.id)}
    assert found(world.bilal, "привет") == {("post", russian.id)}
    assert found(world.bilal, "ПРИВ") == {("post", russian.id)}
    assert found(world.bilal, "Женевы") == {("post", russian.id)}
    # No spaces in Chinese: a word in the middle of a sentence is still found.
    assert found(world.bilal, "搜索") == {("post", chinese.id)}
    assert found(world.bilal, "中文 搜索") == {("post", chinese.id)}
    assert found(world.bilal, "搜索 привет") == set()
    hit = search(world.bilal, "搜索").hits[0]
    assert "<mark>搜索</mark>" in hit.snippet


@pytest.mark.parametrize("query, hit", [
    ('"', False), ('""', False), ('*', False), ('resume*', True), ('"resume', True),
    ('AND', True), ('OR', False), ('NOT', False), ('resume AND', True), ('AND resume', True),
    ('(', False), (')', False), ('resume)', True), ('-', False), ('-resume', True),
    ('NEAR', False), ('NEAR(resume cv)', False), ('resume NEAR cv', False), ("'", False),
    ("resume'", True), ("\\", False), ("resume:*", True), ("a & b | !c", False), ("<->", False),
    ("title:resume", False), ("^resume", True), ("résumé 😀", True), ("😀", False), ("%", False),
    ("_", False), ("%_", False), ("{resume}", True), ("resume + cv", True), ("\x00", False),
    ("cv:* & resume", True), ("r\u00e9sum\u00e9", True),
])
def test_query_syntax_cannot_break(world, query, hit):
    t = s.thread(world.general, world.amina, "Resume and CV tips")
    ids = {(h.kind, h.id) for h in search(world.bilal, query).hits}
    assert ids == ({("thread", t.id)} if hit else set())


def test_empty_query_does_not_search(world):
    s.thread(world.general, world.amina, "Anything")
    for query in ("", "   ", None, "*** !!! ---", "😀"):
        results = search(world.bilal, query)
        assert not results.searched and results.hits == []


def test_parse_terms_strips_operators():
    assert parse_terms('"résumé" AND (cv)* -draft NEAR') == ["résumé", "and", "cv", "draft",
                                                             "near"]
    assert parse_terms("") == []


def test_anonymous_may_not_search(world):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Unauthorized):
        search(AnonymousUserMixin(), "anything")


# --- privacy ------------------------------------------------------------------------------------


def test_other_cohorts_content_never_appears(world):
    t = s.thread(world.lounge_a, world.amina, "Alpha secret budget")
    p = s.post(t, world.bilal, "The budget is confidential")
    chan_a = s.channel("alpha-chat", world.cohort_a.id)
    m = s.message(chan_a, world.amina, "budget talk in alpha")
    expected = {("thread", t.id), ("post", p.id), ("message", m.id)}
    assert found(world.bilal, "budget") == expected
    # Carla is in cohort B: nothing, whatever the filters (even naming A's ids outright).
    assert found(world.carla, "budget") == set()
    assert found(world.carla, "budget", cohort_id=world.cohort_a.id) == set()
    assert found(world.carla, "budget", category_id=world.lounge_a.id) == set()
    assert found(world.carla, "budget", channel_id=chan_a.id) == set()
    assert found(world.carla, "budget", author="amina") == set()
    assert found(world.site_mentor, "budget") == set()


def test_direct_messages_only_for_their_members(world):
    dm = s.direct(world.amina, world.bilal)
    m = s.message(dm, world.amina, "private salary negotiation")
    assert found(world.amina, "salary") == {("message", m.id)}
    assert found(world.bilal, "salary") == {("message", m.id)}
    for outsider in (world.mentor, world.carla, world.moderator, world.facilitator):
        assert found(outsider, "salary") == set()
        assert found(outsider, "salary", channel_id=dm.id) == set()


def test_ask_a_mentor_threads_only_for_author_and_mentors(world):
    t = s.thread(world.ask_a, world.amina, "Question about my probation")
    assert found(world.amina, "probation") == {("thread", t.id)}
    assert found(world.mentor, "probation") == {("thread", t.id)}
    assert found(world.bilal, "probation") == set()


def test_hidden_and_deleted_content_never_appears(world):
    now = utcnow()
    hidden_thread = s.thread(world.general, world.amina, "Forbidden topic one", hidden_at=now)
    deleted_thread = s.thread(world.general, world.amina, "Forbidden topic two", deleted_at=now)
    shown = s.thread(world.general, world.amina, "Ordinary thread")
    hidden_post = s.post(shown, world.bilal, "forbidden words here", hidden_at=now)
    deleted_post = s.post(shown, world.bilal, "forbidden words there", deleted_at=now)
    lobby = s.channel("lobby")
    s.message(lobby, world.bilal, "forbidden chat", hidden_at=now)
    s.message(lobby, world.bilal, "forbidden chat too", deleted_at=now)
    # Posts inside a hidden thread are hidden with it.
    s.post(hidden_thread, world.bilal, "forbidden reply in hidden thread")
    for user in (world.amina, world.bilal, world.moderator, world.facilitator):
        assert found(user, "forbidden") == set()
    assert hidden_post.id and deleted_post.id and deleted_thread.id


# --- index kept in sync -------------------------------------------------------------------------


def test_index_follows_edits_and_deletes(world):
    t = s.thread(world.general, world.amina, "Original title")
    p = s.post(t, world.bilal, "first version mentions kangaroo")
    lobby = s.channel("lobby")
    m = s.message(lobby, world.bilal, "chat about wombat")
    assert found(world.amina, "kangaroo") == {("post", p.id)}

    p.body_source = "second version mentions platypus"
    t.title = "Renamed heading"
    m.body_source = "chat about koala"
    db.session.commit()
    assert found(world.amina, "kangaroo") == set()
    assert found(world.amina, "platypus") == {("post", p.id)}
    assert found(world.amina, "original") == set()
    assert found(world.amina, "renamed") == {("thread", t.id)}
    assert found(world.amina, "wombat") == set()
    assert found(world.amina, "koala") == {("message", m.id)}

    db.session.delete(m)
    db.session.delete(p)
    db.session.commit()
    assert found(world.amina, "koala") == set()
    assert found(world.amina, "platypus") == set()
    db.session.execute(db.delete(Thread).where(Thread.id == t.id))
    db.session.commit()
    assert found(world.amina, "renamed") == set()


def test_index_follows_the_services(world):
    from forum.services import discussions

    t = discussions.create_thread(world.amina, world.general.id, "Mentoring circles",
                                  "Who wants to join a circle about fundraising?")
    reply = discussions.reply(world.bilal, t.id, "Me! Fundraising is my weak point.")
    assert found(world.carla, "fundraising") == {("post", t.first_post_id), ("post", reply.id)}
    discussions.edit_post(world.bilal, reply.id, "Me! Budgeting is my weak point.")
    assert found(world.carla, "fundraising") == {("post", t.first_post_id)}
    discussions.delete_post(world.bilal, reply.id)
    assert found(world.carla, "budgeting") == set()


# --- filters, paging, ranking -------------------------------------------------------------------


def test_filters(world):
    old = datetime(2026, 1, 10, 12, tzinfo=UTC)
    qa = s.thread(world.qa, world.amina, "Visa question", created_at=old)
    answer = s.post(qa, world.mentor, "Visa answer from a mentor", created_at=old)
    qa.accepted_post_id = answer.id
    db.session.commit()
    open_q = s.thread(world.qa, world.bilal, "Another visa question")
    lounge = s.thread(world.lounge_a, world.bilal, "Visa party in Alpha")
    chan_a = s.channel("alpha-chat", world.cohort_a.id)
    lobby = s.channel("lobby")
    m_a = s.message(chan_a, world.amina, "visa appointment booked")
    m_lobby = s.message(lobby, world.bilal, "visa photos")

    assert found(world.amina, "visa", kind="threads") == {
        ("thread", qa.id), ("thread", open_q.id), ("thread", lounge.id)}
    assert found(world.amina, "visa", kind="messages") == {("message", m_a.id),
                                                           ("message", m_lobby.id)}
    assert found(world.amina, "visa", category_id=world.lounge_a.id) == {("thread", lounge.id)}
    assert found(world.amina, "visa", cohort_id=world.cohort_a.id) == {
        ("thread", lounge.id), ("message", m_a.id)}
    assert found(world.amina, "visa", channel_id=lobby.id) == {("message", m_lobby.id)}
    assert found(world.amina, "visa", author="@Mona") == {("post", answer.id)}
    assert found(world.amina, "visa", accepted=True) == {("thread", qa.id), ("post", answer.id)}
    assert found(world.amina, "visa", date_to=date(2026, 1, 10)) == {
        ("thread", qa.id), ("post", answer.id)}
    assert ("thread", qa.id) not in found(world.amina, "visa", date_from=date(2026, 1, 11))
    accepted_hit = next(h for h in search(world.amina, "visa", SearchFilters(accepted=True)).hits
                        if h.kind == "thread")
    assert accepted_hit.has_accepted_answer


@pytest.mark.parametrize("filters, field", [
    ({"author": "nobody-here"}, "author"),
    ({"date_from": date(2026, 2, 1), "date_to": date(2026, 1, 1)}, "date_to"),
    ({"kind": "users"}, "kind"),
])
def test_bad_filters_are_invalid(world, filters, field):
    with pytest.raises(Invalid) as error:
        search(world.amina, "visa", SearchFilters(**filters))
    assert field in error.value.fields


def test_bad_page_is_invalid(world):
    with pytest.raises(Invalid):
        search(world.amina, "visa", page=0)


def test_paging_is_complete_and_disjoint(world):
    t = s.thread(world.general, world.amina, "Long thread")
    posts = [s.post(t, world.bilal, f"Reply {i} about sustainability") for i in range(25)]
    first = search(world.amina, "sustainability", page=1, per_page=10)
    second = search(world.amina, "sustainability", page=2, per_page=10)
    third = search(world.amina, "sustainability", page=3, per_page=10)
    assert first.has_next and second.has_next and not third.has_next
    ids = [h.id for r in (first, second, third) for h in r.hits]
    assert len(ids) == 25 and set(ids) == {p.id for p in posts}


def test_more_relevant_first(world):
    t = s.thread(world.general, world.amina, "Assorted notes")
    weak = s.post(t, world.bilal, "A long reply that mentions governance once among many other "
                  "things like travel, housing, schools, insurance, pensions and leave.")
    strong = s.post(t, world.bilal, "Governance, governance, governance.")
    hits = search(world.amina, "governance").hits
    assert [h.id for h in hits] == [strong.id, weak.id]


def test_frequency_ranks_and_length_does_not(world):
    # Both databases rank by how often the words occur (SQLite: tf saturated as in BM25 but
    # without its table-wide IDF count; PostgreSQL: ts_rank), not by the text's length: one
    # mention in a long reply ties with one in a short reply, and the newer comes first.
    t = s.thread(world.general, world.amina, "Assorted notes")
    short_old = s.post(t, world.bilal, "Governance.", created_at=datetime(2026, 1, 5, tzinfo=UTC))
    long_new = s.post(t, world.bilal, "A long reply that mentions governance once among many "
                      "other things like travel, housing, schools, insurance, pensions, leave.")
    strong = s.post(t, world.bilal, "Governance, governance, governance.",
                    created_at=datetime(2026, 1, 1, tzinfo=UTC))
    hits = search(world.amina, "governance").hits
    assert [h.id for h in hits] == [strong.id, long_new.id, short_old.id]
    assert hits[1].snippet.count("<mark>") == 1 and hits[0].snippet.count("<mark>") == 3


def test_every_prefix_length_finds_the_word(world):
    # SQLite keeps prefix indexes for 2-8 characters and merges match lists past them;
    # PostgreSQL matches 'word':*. Every length must find the same rows, accents or not.
    t = s.thread(world.general, world.amina, "Humanitarian coordination")
    p = s.post(t, world.bilal, "Coordinating the résumés")
    for n in range(1, len("coordination") + 1):
        prefix = "coordination"[:n]
        expected = {("thread", t.id)} | ({("post", p.id)} if "coordinating".startswith(prefix)
                                          else set())
        assert found(world.bilal, prefix) == expected, prefix
    for query in ("re", "rés", "resu", "résumé", "resumes", "RÉSUMÉS"):
        assert found(world.bilal, query) == {("post", p.id)}, query
    assert found(world.bilal, "resumess") == set()


def test_snippet_is_escaped_plain_text():
    snippet = highlight("<script>alert('résumé')</script> & more", ["resume"])
    assert str(snippet) == ("&lt;script&gt;alert(&#39;<mark>résumé</mark>&#39;)&lt;/script&gt; "
                            "&amp; more")
    long_text = "word " * 100 + "target " + "tail " * 100
    snippet = str(highlight(long_text, ["target"]))
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>target</mark>" in snippet
    assert len(snippet) < 260


def test_message_rows_loaded_with_constant_queries(world, queries):
    lobby = s.channel("lobby")
    t = s.thread(world.general, world.amina, "Telework policy")
    for i in range(3):
        s.message(lobby, world.bilal, f"telework {i}")
        s.post(t, world.bilal, f"telework reply {i}")
    search(world.amina, "telework")  # warm the per-request membership cache
    with queries() as few:
        search(world.amina, "telework")
    for i in range(12):
        s.message(lobby, world.carla, f"telework more {i}")
        s.post(t, world.carla, f"telework more reply {i}")
    assert world.amina.username  # reload the searcher expired by the commits above
    with queries() as many:
        search(world.amina, "telework")
    assert len(few) == len(many) <= 5


def test_counts_never_include_invisible_rows(world):
    # Only visible rows are ranked at all: invisible matches cannot push a page to "has_next".
    t = s.thread(world.lounge_b, world.carla, "Bravo only")
    for i in range(5):
        s.post(t, world.carla, f"zeppelin {i}")
    visible = s.thread(world.general, world.amina, "zeppelin")
    results = search(world.amina, "zeppelin", per_page=1)
    assert [h.id for h in results.hits] == [visible.id] and not results.has_next
    assert db.session.query(Post).count() >= 6 and db.session.query(Message).count() == 0


def test_ranking_is_bounded_to_the_newest_candidates(world, monkeypatch):
    import forum.services.search as svc

    monkeypatch.setattr(svc, "CANDIDATES", 5)
    t = s.thread(world.general, world.amina, "Bounded")
    posts = [s.post(t, world.bilal, f"common word {i}") for i in range(8)]
    hits = search(world.amina, "common").hits
    assert {h.id for h in hits} == {p.id for p in posts[-5:]}
    with pytest.raises(Invalid):
        search(world.amina, "common", page=2, per_page=5)


@pytest.mark.parametrize("common_share", [0.0, 2.0], ids=["window-first", "index-only"])
def test_old_matches_are_found_past_the_newest_rows(world, monkeypatch, common_share):
    # PostgreSQL reads the newest WINDOW rows first for common words and then asks the index
    # for older matches (rare words: the index only). Either way a word's old posts must still
    # be found, the newest visible ones first, and newer matches the searcher may not read
    # must not take their place.
    import forum.services.search as svc

    monkeypatch.setattr(svc, "WINDOW", 2)
    monkeypatch.setattr(svc, "COMMON_SHARE", common_share)
    monkeypatch.setattr(svc, "CANDIDATES", 3)
    t = s.thread(world.general, world.amina, "Window")
    old = [s.post(t, world.bilal, f"quokka sighting {i}") for i in range(4)]
    bravo = s.thread(world.lounge_b, world.carla, "Bravo notes")
    for i in range(3):
        s.post(bravo, world.carla, f"quokka in bravo {i}")
    for i in range(2):
        s.post(t, world.bilal, f"unrelated filler {i}")
    assert sorted(h.id for h in search(world.amina, "quokka").hits) == [p.id for p in old[1:]]
    newest = s.post(t, world.bilal, "quokka again")  # now inside the window, with a filler
    hits = search(world.amina, "quokka").hits
    assert sorted(h.id for h in hits) == [old[2].id, old[3].id, newest.id]  # no duplicates
    assert all(h.kind == "post" and h.thread_id == t.id for h in hits)


def test_share_of_rows_comes_from_the_statistics(world):
    from sqlalchemy import text

    from forum.services.search import _settings_and_shares

    t = s.thread(world.general, world.amina, "Statistics")
    for i in range(30):
        s.post(t, world.bilal, f"wombat burrow {i}" if i % 2 else f"kangaroo {i}")
    # Whatever plan the statistics pick, a prefix finds every match (both databases).
    assert len(search(world.amina, "womb").hits) == 15
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's FTS5 has no planner statistics to read: the rest is PostgreSQL's
    db.session.execute(text("ANALYZE posts"))

    def share(*terms: str) -> float:
        return _settings_and_shares(list(terms))["posts"]

    assert 0.3 < share("womb") < 0.7  # 15 of 31 posts (the opening post has neither word)
    # Several words: the product of their shares (the statistics know no correlations).
    both = share("wombat", "kangaroo")
    assert both == pytest.approx(share("wombat") * share("kangaroo")) and 0.1 < both < 0.4
    assert share("zeppelin") == 0 and share("wombat", "zeppelin") == 0
    assert share("wombat", "搜索") == 0  # a CJK phrase goes to the index
    # One lookup serves every table; the thread titles hold neither word.
    assert _settings_and_shares(["womb"])["threads"] == 0
