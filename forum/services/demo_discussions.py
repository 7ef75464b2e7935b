"""Demo discussions content for `flask forum seed-demo`: categories, threads and replies."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.extensions import db
from forum.lib.text import render_post
from forum.models import Category, Cohort, Post, Thread, ThreadTag, ThreadWatch, User, utcnow
from forum.services.accounts import existing_usernames


def _html(source: str) -> str:
    """Demo text rendered like real posts, @mentions linked."""
    return render_post(source, resolve_mentions=existing_usernames).html


def _thread(category: Category, author: User, title: str, body: str, tags: list[str],
            replies: list[tuple[User, str, int | None]], hours_ago: int,
            accept: int | None = None) -> Thread:
    """Add a thread with its replies; reply parents are indexes into the replies list."""
    start = utcnow() - timedelta(hours=hours_ago)
    thread = Thread(category_id=category.id, author_id=author.id, title=title,
                    created_at=start, last_activity_at=start)
    thread.tags = [ThreadTag(tag=tag) for tag in tags]
    db.session.add(thread)
    db.session.flush()
    first = Post(thread_id=thread.id, author_id=author.id, body_source=body,
                 body_html=_html(body), created_at=start)
    db.session.add(first)
    db.session.flush()
    thread.first_post_id = thread.last_post_id = first.id
    made: list[Post] = []
    for n, (who, text, parent) in enumerate(replies, start=1):
        parent_post = made[parent] if parent is not None else None
        post = Post(thread_id=thread.id, author_id=who.id, body_source=text,
                    body_html=_html(text), created_at=start + timedelta(minutes=17 * n),
                    parent_id=parent_post.id if parent_post else None,
                    depth=parent_post.depth + 1 if parent_post else 0)
        db.session.add(post)
        db.session.flush()
        made.append(post)
        thread.last_post_id, thread.last_activity_at = post.id, post.created_at
    thread.reply_count = len(made)
    thread.post_count = 1 + len(made)
    if accept is not None:
        thread.accepted_post_id = made[accept].id
    db.session.add(ThreadWatch(user_id=author.id, thread_id=thread.id))
    return thread


def _cohort_space(cohort: Cohort, mode: str, fallback: Category) -> Category:
    """The cohort's first category in this mode, else the fallback (added to the session)."""
    found = db.session.scalar(select(Category).where(
        Category.cohort_id == cohort.id, Category.mode == mode).order_by(Category.position))
    if found is None:
        db.session.add(fallback)
    return found or fallback


def seed(*, admin: User, moderator: User, mentors: list[User], members: list[User],
         cohort: Cohort) -> None:
    """Add demo discussions content for the demo cohort; the caller commits."""
    db.session.flush()
    mentor = mentors[0] if mentors else moderator
    member = members[0] if members else admin
    other = members[1] if len(members) > 1 else member
    announcements = Category(slug="announcements", name="Announcements", position=0,
                             description="News from the programme team.")
    career = Category(slug="career-qa", name="Career Q&A", mode="qa", position=1,
                      description="Questions about assignments, contracts and next steps.")
    db.session.add_all([announcements, career])
    # The cohort's lounge and ask-a-mentor space come from the cohort template (demo.py);
    # made here only if an edited template has none.
    lounge = _cohort_space(cohort, "discussion", Category(
        slug=f"{cohort.slug}-lounge", name=f"{cohort.name} lounge", position=0,
        cohort_id=cohort.id, description="Only this cohort can read this."))
    ask = _cohort_space(cohort, "ask_mentor", Category(
        slug=f"{cohort.slug}-ask-a-mentor", name="Ask a mentor", mode="ask_mentor",
        position=1, cohort_id=cohort.id,
        description="Private questions: only you and the cohort's mentors see them."))
    db.session.flush()
    _thread(announcements, admin, "Welcome to Commons",
            "Welcome! Introduce yourself in your **cohort lounge** and ask anything in "
            "*Career Q&A*. Be kind; assume good faith.", ["welcome"], [], hours_ago=72)
    _thread(career, member, "How do I prepare for a P-3 competency-based interview?",
            "My assignment ends next year. Any advice on **CBI** questions?",
            ["interviews", "career"],
            [(mentor, "Use the STAR structure and prepare 8 to 10 stories. Happy to do a mock "
                      "interview — ping me, @" + member.username + ".", None),
             (member, "Thank you! Which competencies come up most?", 0),
             (mentor, "Planning & organising, teamwork and client orientation.", 1)],
            hours_ago=30, accept=0)
    _thread(lounge, other, "Who is in Nairobi next month?",
            "I'll be at UNON for a workshop — coffee?", ["meetup"],
            [(member, "I am! Tuesday works.", None)], hours_ago=6)
    _thread(ask, member, "Should I mention my sponsoring country's secondment in applications?",
            "Not sure how hiring panels see it.", ["applications"],
            [(mentor, "Yes — describe what you did, not the funding arrangement.", None)],
            hours_ago=12, accept=0)
