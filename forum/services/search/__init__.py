"""Full-text search: one service, an FTS5 backend (SQLite) and a tsvector backend (PostgreSQL).

The index (forum/models/search.py) only knows words; who may see a hit is decided here, at query
time, against the source rows and through the policy package: other cohorts' content, other
people's direct messages, hidden and deleted content never match — so they never appear, not
even in a count. One UNION ALL query ranks threads (by title), posts and chat messages
together, and the same statement loads what the page's hits show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)

from forum.errors import Invalid
from forum.extensions import db
from forum.models import (
    Category,
    Channel,
    ChannelKind,
    Cohort,
    Message,
    Post,
    Thread,
    User,
)
from forum.models.search import VECTOR_COLUMN
from forum.services.access import (
    listed_channels_clause,
    member_cohort_ids,
    require_login,
    visible_categories_clause,
    visible_threads_clause,
)
from forum.services.search.snippets import highlight, html_text, is_cjk, parse_terms

__all__ = [
    "KINDS",
    "SearchFilters",
    "SearchHit",
    "SearchOptions",
    "SearchResults",
    "parse_terms",
    "search",
    "search_options",
]

KINDS = ("threads", "posts", "messages")
PER_PAGE = 20
# Deep offsets get slow and nobody reads page 50 of search results; refine the query instead.
MAX_PAGE = 10
# Thread titles are short and say what a thread is about: a title hit outranks a body hit.
_TITLE_WEIGHT = 2.0
# Matches ranked per kind (see _ranked); as many as the pages one may open.
CANDIDATES = MAX_PAGE * PER_PAGE
# PostgreSQL, for words in at least COMMON_SHARE of the rows: the newest rows of a table read
# without the index first (see _newest_matches).
WINDOW = 20_000
COMMON_SHARE = 0.02


@dataclass(frozen=True)
class SearchFilters:
    """Optional narrowing of a search; ids the user cannot read simply match nothing."""

    kind: str | None = None  # "threads", "posts" or "messages"
    category_id: int | None = None
    cohort_id: int | None = None
    channel_id: int | None = None
    author: str | None = None  # a username
    date_from: date | None = None
    date_to: date | None = None
    accepted: bool = False  # only threads with an accepted answer (and their posts)


@dataclass
class SearchHit:
    """One result, as plain data (the API can serialise it as is, snippet included)."""

    kind: str  # "thread", "post" or "message"
    id: int
    title: str
    snippet: Markup  # escaped plain text with <mark> around the matches
    created_at: datetime
    author_username: str | None
    author_name: str | None
    place: str  # the category or channel name
    thread_id: int | None = None
    channel_id: int | None = None
    has_accepted_answer: bool = False

    def to_dict(self) -> dict:
        """JSON-ready form of the hit."""
        return {
            "kind": self.kind, "id": self.id, "title": self.title, "snippet": str(self.snippet),
            "created_at": self.created_at.isoformat(),
            "author": self.author_username, "author_name": self.author_name,
            "place": self.place, "thread_id": self.thread_id, "channel_id": self.channel_id,
            "has_accepted_answer": self.has_accepted_answer,
        }


@dataclass
class SearchResults:
    """A page of hits; `searched` is False when the query had no words (show the form)."""

    query: str
    terms: list[str]
    hits: list[SearchHit] = field(default_factory=list)
    page: int = 1
    per_page: int = PER_PAGE
    has_next: bool = False

    @property
    def searched(self) -> bool:
        """Whether a search ran (the query held at least one word)."""
        return bool(self.terms)


@dataclass
class SearchOptions:
    """What the filter form offers: only categories, cohorts and channels the user may read."""

    categories: list[Category]
    cohorts: list[Cohort]
    channels: list[Channel]


# --- matching ---------------------------------------------------------------------------------


def _cjk_phrase(term: str) -> str:
    """'中文' → "('中' <-> '文')": runs of other letters stay one word."""
    pieces: list[str] = []
    run = ""
    for ch in term:
        if is_cjk(ch):
            if run:
                pieces.append(run)
                run = ""
            pieces.append(ch)
        else:
            run += ch
    if run:
        pieces.append(run)
    return "(" + " <-> ".join(f"'{p}'" for p in pieces) + ")"


# SQLite's score: term frequency saturated as in BM25 (k1 = 1.2), without its IDF.
_K1 = 1.2


def _sqlite_score(index: str, source) -> ColumnElement[float]:
    """How often the query's words occur in the row: tf * (k1 + 1) / (tf + k1).

    FTS5's bm25() would first count every row of the table holding each word (its IDF), on
    every search: 13 ms for a word in a third of 1M posts, whatever the LIMIT. highlight()
    only reads the row at hand: it inserts one marker character before each matched token,
    so the length it adds is the number of matches. Like PostgreSQL's ts_rank, this ranks
    by frequency alone.
    """
    marked = func.highlight(literal_column(index), literal_column("0"), literal("\x01"),
                            literal(""))
    tf = func.length(marked) - func.length(source)
    # tf * (k1 + 1) / (tf + k1), written with tf once: SQLite would run highlight() twice.
    return literal(_K1 + 1) - literal(_K1 * (_K1 + 1)) / (tf + _K1)


def _ranked(kind: str, model, index: str, source, terms: list[str], dialect: str,
            scope: Callable[[Select], Select], weight: float = 1.0,
            common: bool = False) -> Select:
    """(kind, id, score, created_at) of the newest CANDIDATES visible matches of one kind.

    `scope` adds the joins and WHERE clauses that decide visibility and the filters. Ranking is done
    among those candidates only: a word found in nearly every post would otherwise cost a
    score for each of 100k rows; with the cap, a query answers in bounded time and common
    words rank the most recent matches (nobody pages past MAX_PAGE anyway).
    """
    words = [t for t in terms if not is_cjk(t)]
    columns = (literal(kind).label("kind"), model.id.label("id"))
    if dialect == "sqlite":
        # CJK has no spaces and FTS5 keeps whole runs of characters as one token: substring
        # search (a scan, bounded by the filters) for those terms.
        substrings = [source.like(f"%{t}%", escape="\\") for t in terms if is_cjk(t)]
        if words:
            # Each word quoted (a string, never an operator) and made a prefix query: "resu"*.
            expression = " ".join(f'"{w}"*' for w in words)
            fts = table(index, column("rowid"))
            statement = (
                select(*columns, (_sqlite_score(index, source) * weight).label("score"),
                       model.created_at.label("created_at"))
                .select_from(fts).join(model, model.id == fts.c.rowid)
                .where(literal_column(index).op("MATCH")(expression))
                # FTS5 hands rowids out newest first itself: no sort, and the score is only
                # computed for the rows read before the LIMIT.
                .order_by(fts.c.rowid.desc())
            )
        else:
            statement = (
                select(*columns, literal(0.0).label("score"),
                       model.created_at.label("created_at"))
                .select_from(model).order_by(model.id.desc())
            )
        candidates = scope(statement).where(*substrings).limit(CANDIDATES).subquery()
        return select(candidates)
    # PostgreSQL: pick the candidate ids first, then score only those (ts_rank in the same
    # SELECT would be computed for every match before the LIMIT).
    # The index holds each CJK character as a word (forum/models/search.py): a CJK term is a
    # phrase of its characters; other words are prefixes.
    parts = [_cjk_phrase(t) if is_cjk(t) else f"'{t}':*" for t in terms]
    vector = literal_column(f"{model.__tablename__}.{VECTOR_COLUMN}")
    # Rendered into the SQL text (safely quoted by SQLAlchemy) rather than a bind parameter:
    # the planner then sees the words (CJK phrases, the GIN index conditions).
    expression = bindparam("tsquery", " & ".join(parts), literal_execute=True)
    query = func.forum_search_query(expression)
    match = vector.op("@@")(query)
    score = func.ts_rank(vector, query) * weight
    return select(*columns, score.label("score"), model.created_at.label("created_at")).where(
        model.id.in_(_newest_matches(kind, model, match, scope, common)))


@cache
def _table_copy(model):
    """A second name for a model's table (made once: aliases are costly to build)."""
    return model.__table__.alias(f"{model.__tablename__}_newest")


def _settings_and_shares(terms: list[str]) -> dict[str, float]:
    """PostgreSQL: set this transaction's planner settings; the share of each table's rows
    holding every term, as the column statistics estimate it.

    The shares come from what ANALYZE keeps (the most common words and their frequencies,
    pg_stats.most_common_elems); a word missing from them is rare, share 0. The planner itself
    does not use them for prefix queries (it guesses 2% for any 'word':*). Read here, once for
    every table, in the statement that sets the settings: inside the search statement the
    pg_stats view (four catalogs and privilege checks) was planned once per table and word,
    5-9 ms of planning per search at any size.

    The settings, for this transaction only: after five runs of one statement psycopg prepares
    it and PostgreSQL may switch to a generic plan blind to the filters' values (10x slower);
    the correlated lookups inflate the cost estimate past jit_above_cost, and compiling took
    longer (40-600 ms) than running; parallel workers cost more to start than the bounded
    scans take.
    """
    words = [t for t in terms if not is_cjk(t)]
    row = db.session.execute(text(
        "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
        "set_config('jit', 'off', true), "
        "set_config('max_parallel_workers_per_gather', '0', true), "
        "(SELECT json_object_agg(x.k, x.v) FROM ("
        "  SELECT s.tablename || ':' || t.i AS k, least(sum(m.f), 1.0) AS v "
        "  FROM pg_stats s, unnest(s.most_common_elems::text::text[], "
        "                          s.most_common_elem_freqs) AS m(e, f), "
        "       unnest(CAST(:words AS text[])) WITH ORDINALITY AS t(w, i) "
        "  WHERE s.schemaname = current_schema() AND s.tablename IN ('threads', 'posts', "
        f"   'messages') AND s.attname = '{VECTOR_COLUMN}' "
        "   AND m.e LIKE public.unaccent('public.unaccent'::regdictionary, t.w) || '%' "
        "  GROUP BY 1) AS x)"
    ), {"words": words}).one()
    found = row[3] or {}
    shares = {}
    for table_name in KINDS:  # the kinds are named after their tables
        share = 0.0 if len(words) < len(terms) else 1.0  # CJK phrases: rare, the index
        for i in range(1, len(words) + 1):
            share *= float(found.get(f"{table_name}:{i}", 0.0))
        shares[table_name] = share
    return shares


def _newest_matches(kind: str, model, match: ColumnElement[bool],
                    scope: Callable[[Select], Select], common: bool) -> Select:
    """PostgreSQL: ids of the newest CANDIDATES visible rows of `model` that `match`.

    The planner cannot tell a rare word from a common one (a prefix query is always estimated
    at 2% of the rows), and each plan is a disaster for the other kind of word: walking the
    primary key backwards reads the whole table before it finds a rare word's 200 matches;
    the GIN index builds a bitmap of a common word's 300k matches. So the statistics decide
    (_settings_and_shares): for `common` words the newest WINDOW rows are read backwards
    first (bounded, and it stops at CANDIDATES matches) and the GIN index finds the older
    matches only if that was not enough (a one-time filter: PostgreSQL does not start that
    branch otherwise); rare words go to the GIN index at once.
    """
    # `id + 0`: neither the ordering nor the bound may walk the primary key here.
    shifted = model.id + literal_column("0")
    if not common:
        return scope(select(model.id).select_from(model)).where(match).order_by(
            shifted.desc()).limit(CANDIDATES)
    newest = select(func.max(_table_copy(model).c.id)).scalar_subquery()
    # `IS TRUE` keeps the GIN index out of the window (it would read the whole posting list).
    recent = scope(select(model.id).select_from(model)).where(
        model.id > newest - WINDOW, match.is_(True),
    ).order_by(model.id.desc()).limit(CANDIDATES).cte(f"{kind}_recent")
    older = scope(select(model.id).select_from(model)).where(
        shifted <= newest - WINDOW, match,
        select(func.count()).select_from(recent).scalar_subquery() < CANDIDATES,
    ).order_by(shifted.desc()).limit(CANDIDATES)
    both = union_all(select(recent.c.id), older).subquery(f"{kind}_matches")
    return select(both.c.id).order_by(both.c.id.desc()).limit(CANDIDATES)


def _dates(filters: SearchFilters, column_) -> list[ColumnElement[bool]]:
    clauses = []
    if filters.date_from:
        clauses.append(column_ >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        clauses.append(column_ < datetime.combine(filters.date_to + timedelta(days=1), time(), UTC))
    return clauses


def _discussion_filters(filters: SearchFilters) -> list:
    clauses = []
    if filters.category_id is not None:
        clauses.append(Category.id == filters.category_id)
    if filters.cohort_id is not None:
        clauses.append(Category.cohort_id == filters.cohort_id)
    if filters.accepted:
        clauses.append(Thread.accepted_post_id.is_not(None))
    return clauses


def _visible_through(statement: Select, dialect: str, joins: list, conditions: list) -> Select:
    """Keep the rows whose parent rows (`joins`: (model, ON clause), first one correlated)
    pass `conditions`.

    SQLite joins them (its nested loops probe the parents by primary key). PostgreSQL gets a
    correlated one-row lookup instead: it runs per candidate (an index probe) and is never
    turned into a hash join over the whole parent table, which the planner picks when it
    overestimates a rare word's matches.
    """
    if dialect == "sqlite":
        for target, onclause in joins:
            statement = statement.join(target, onclause)
        return statement.where(*conditions)
    (first, correlation), *rest = joins
    lookup = select(literal(1)).select_from(first)
    for target, onclause in rest:
        lookup = lookup.join(target, onclause)
    lookup = lookup.where(correlation, *conditions).limit(1)
    return statement.where(lookup.scalar_subquery().is_not(None))


def _threads_query(user: User, dialect: str, terms: list[str], filters: SearchFilters,
                   author_id: int | None, common: bool = False) -> Select:
    def scope(statement: Select) -> Select:
        statement = _visible_through(
            statement, dialect, [(Category, Category.id == Thread.category_id)],
            [visible_threads_clause(user), *_discussion_filters(filters)])
        statement = statement.where(
            # Moderators may see hidden threads in lists; search never shows them to anyone.
            Thread.hidden_at.is_(None), Thread.deleted_at.is_(None),
            *_dates(filters, Thread.created_at),
        )
        if author_id is not None:
            statement = statement.where(Thread.author_id == author_id)
        return statement

    return _ranked("thread", Thread, "fts_threads", Thread.title, terms, dialect, scope,
                   _TITLE_WEIGHT, common)


def _posts_query(user: User, dialect: str, terms: list[str], filters: SearchFilters,
                 author_id: int | None, common: bool = False) -> Select:
    def scope(statement: Select) -> Select:
        statement = _visible_through(
            statement, dialect,
            [(Thread, Thread.id == Post.thread_id), (Category, Category.id == Thread.category_id)],
            [visible_threads_clause(user), Thread.hidden_at.is_(None), Thread.deleted_at.is_(None),
             *_discussion_filters(filters)])
        statement = statement.where(
            Post.hidden_at.is_(None), Post.deleted_at.is_(None),
            *_dates(filters, Post.created_at),
        )
        if author_id is not None:
            statement = statement.where(Post.author_id == author_id)
        return statement

    return _ranked("post", Post, "fts_posts", Post.body_source, terms, dialect, scope,
                   common=common)


def _messages_query(user: User, dialect: str, terms: list[str], filters: SearchFilters,
                    author_id: int | None, common: bool = False) -> Select:
    def scope(statement: Select) -> Select:
        # The user's own channel list: global, their cohorts', their direct conversations.
        conditions = [listed_channels_clause(user)]
        if filters.cohort_id is not None:
            conditions.append(Channel.cohort_id == filters.cohort_id)
        if filters.channel_id is not None:
            conditions.append(Channel.id == filters.channel_id)
        statement = _visible_through(
            statement, dialect, [(Channel, Channel.id == Message.channel_id)], conditions)
        statement = statement.where(
            Message.hidden_at.is_(None), Message.deleted_at.is_(None),
            *_dates(filters, Message.created_at),
        )
        if author_id is not None:
            statement = statement.where(Message.author_id == author_id)
        return statement

    return _ranked("message", Message, "fts_messages", Message.body_source, terms, dialect,
                   scope, common=common)


def _kinds(filters: SearchFilters) -> tuple[str, ...]:
    kinds = (filters.kind,) if filters.kind in KINDS else KINDS
    if filters.category_id is not None or filters.accepted:
        kinds = tuple(k for k in kinds if k != "messages")
    if filters.channel_id is not None:
        kinds = tuple(k for k in kinds if k == "messages")
    return kinds


# --- loading a page ---------------------------------------------------------------------------


def _author(user: User | None) -> tuple[str | None, str | None]:
    return (user.username, user.display_name) if user else (None, None)


@cache
def _hit_tables() -> tuple:
    """Aliases of the tables a hit is read from, made once: building them (and their column
    collections) for every search cost several milliseconds of Python."""
    return tuple(model.__table__.alias(name) for model, name in (
        (Thread, "hit_thread"), (Post, "hit_post"), (Message, "hit_message"),
        (Thread, "hit_post_thread")))


def _page(ranked, per_page: int, offset: int) -> Select:
    """The page's rows with everything a hit shows, in one statement (any mix of kinds)."""
    order = (ranked.c.score.desc(), ranked.c.created_at.desc(), ranked.c.kind, ranked.c.id.desc())
    page = select(ranked).order_by(*order).limit(per_page + 1).offset(offset).subquery("page")
    thread, post, message, post_thread = _hit_tables()
    category, channel, author = Category.__table__, Channel.__table__, User.__table__
    return (
        select(
            page.c.kind, page.c.id, page.c.created_at,
            func.coalesce(thread.c.title, post_thread.c.title, channel.c.name).label("title"),
            func.coalesce(post.c.body_html, message.c.body_html).label("body_html"),
            func.coalesce(thread.c.id, post_thread.c.id).label("thread_id"),
            func.coalesce(thread.c.accepted_post_id, post_thread.c.accepted_post_id
                          ).label("accepted_post_id"),
            func.coalesce(category.c.name, channel.c.name).label("place"),
            channel.c.id.label("channel_id"), author.c.username, author.c.display_name,
        )
        .select_from(page)
        .outerjoin(thread, (page.c.kind == "thread") & (thread.c.id == page.c.id))
        .outerjoin(post, (page.c.kind == "post") & (post.c.id == page.c.id))
        .outerjoin(post_thread, post_thread.c.id == post.c.thread_id)
        .outerjoin(message, (page.c.kind == "message") & (message.c.id == page.c.id))
        .outerjoin(channel, channel.c.id == message.c.channel_id)
        .outerjoin(category, category.c.id == func.coalesce(thread.c.category_id,
                                                            post_thread.c.category_id))
        .outerjoin(author, author.c.id == func.coalesce(thread.c.author_id, post.c.author_id,
                                                        message.c.author_id))
        .order_by(page.c.score.desc(), page.c.created_at.desc(), page.c.kind, page.c.id.desc())
    )


def _hit(row, terms: list[str]) -> SearchHit:
    if row.kind == "thread":
        return SearchHit("thread", row.id, row.title, highlight(row.title, terms),
                         row.created_at, row.username, row.display_name, row.place,
                         thread_id=row.thread_id,
                         has_accepted_answer=row.accepted_post_id is not None)
    snippet = highlight(html_text(row.body_html), terms)
    if row.kind == "post":
        return SearchHit("post", row.id, row.title, snippet, row.created_at, row.username,
                         row.display_name, row.place, thread_id=row.thread_id,
                         has_accepted_answer=row.accepted_post_id == row.id)
    return SearchHit("message", row.id, row.title, snippet, row.created_at, row.username,
                     row.display_name, row.place, channel_id=row.channel_id)


def _author_id(username: str | None) -> int | None:
    if not username:
        return None
    name = username.strip().lstrip("@").lower()
    author_id = db.session.scalar(select(User.id).where(func.lower(User.username) == name))
    if author_id is None:
        message = _("No member has that username.")
        raise Invalid(message, fields={"author": message})
    return author_id


def _validate(filters: SearchFilters, page: int, per_page: int) -> None:
    if filters.kind is not None and filters.kind not in KINDS:
        message = _("Choose threads, posts or messages.")
        raise Invalid(message, fields={"kind": message})
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = _("The start date must not be after the end date.")
        raise Invalid(message, fields={"date_to": message})
    if not 1 <= per_page <= 100:
        raise Invalid(_("Show between 1 and 100 results per page."), fields={"per_page": ""})
    if page < 1 or (page - 1) * per_page >= CANDIDATES:
        message = _("Pages go from 1 to %(max)s; try a more precise search.", max=MAX_PAGE)
        raise Invalid(message, fields={"page": message})


def search(user: User, query: str | None, filters: SearchFilters | None = None,
           page: int = 1, per_page: int = PER_PAGE) -> SearchResults:
    """Ranked hits the user may read, `per_page` at a time; no words in the query, no search."""
    user = require_login(user)
    filters = filters or SearchFilters()
    _validate(filters, page, per_page)
    query = (query or "").strip()[:200]
    terms = parse_terms(query)
    results = SearchResults(query=query, terms=terms, page=page, per_page=per_page)
    if not terms:
        return results
    author_id = _author_id(filters.author)
    dialect = db.engine.dialect.name
    builders = {"threads": _threads_query, "posts": _posts_query, "messages": _messages_query}
    kinds = _kinds(filters)
    if not kinds:
        return results
    shares = _settings_and_shares(terms) if dialect == "postgresql" else {}
    selects = [builders[k](user, dialect, terms, filters, author_id,
                           shares.get(k, 0.0) >= COMMON_SHARE) for k in kinds]
    ranked = union_all(*selects).subquery("ranked")
    rows = db.session.execute(_page(ranked, per_page, (page - 1) * per_page)).all()
    results.has_next = len(rows) > per_page
    results.hits = [_hit(row, terms) for row in rows[:per_page]]
    return results


def search_options(user: User) -> SearchOptions:
    """Categories, cohorts and (non-direct) channels the user may pick as filters."""
    user = require_login(user)
    categories = list(db.session.scalars(
        select(Category).where(visible_categories_clause(user))
        .order_by(Category.cohort_id.is_not(None), Category.position, Category.name)))
    cohort_query = select(Cohort).order_by(Cohort.name)
    if not user.is_global_moderator:
        cohort_query = cohort_query.where(Cohort.id.in_(sorted(member_cohort_ids(user))))
    channels = list(db.session.scalars(
        select(Channel).where(listed_channels_clause(user),
                              Channel.kind != ChannelKind.DIRECT.value)
        .order_by(Channel.cohort_id.is_not(None), Channel.name)))
    return SearchOptions(categories, list(db.session.scalars(cohort_query)), channels)
