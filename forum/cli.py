"""`flask forum ...` commands for operators."""

from __future__ import annotations

import click
from flask.cli import AppGroup

forum_cli = AppGroup("forum", help="Commons administration commands.")


@forum_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--username", prompt=True)
@click.option("--name", "display_name", prompt=True)
@click.password_option()
def create_admin(email: str, username: str, display_name: str, password: str) -> None:
    """Create an administrator account."""
    from forum.errors import Invalid
    from forum.services.accounts import build_user, commit_or_invalid

    try:
        user = build_user(email, username, display_name, password, role="admin")
        commit_or_invalid("That email or username is taken.")
    except Invalid as error:
        details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from error
    click.echo(f"Created admin @{user.username} (id {user.id}).")


def _date(_ctx, _param, value: str | None):
    """Parse YYYY-MM-DD for click options."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use the form YYYY-MM-DD") from error


@forum_cli.command("create-cohort")
@click.option("--name", required=True)
@click.option("--programme", default="")
@click.option("--starts", callback=_date, help="First day, YYYY-MM-DD.")
@click.option("--ends", callback=_date, help="Last day, YYYY-MM-DD.")
@click.option("--description", default="")
def create_cohort(name: str, programme: str, starts, ends, description: str) -> None:
    """Create a cohort."""
    from forum.errors import Invalid
    from forum.services.cohorts import create_cohort_as_operator

    try:
        cohort = create_cohort_as_operator(name, programme, starts, ends, description)
    except Invalid as error:
        details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from error
    click.echo(f"Created cohort {cohort.name!r} with slug {cohort.slug} (id {cohort.id}).")


@forum_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (successfully) when the database already has users.")
def seed_demo(if_empty: bool) -> None:
    """Create a demo community (only into an empty database) and print its logins once."""
    from forum.errors import Conflict
    from forum.services.demo import has_users
    from forum.services.demo import seed_demo as seed

    if if_empty and has_users():
        click.echo("The database already has users; demo data not seeded.")
        return
    try:
        credentials = seed()
    except Conflict as error:
        raise click.ClickException(error.message) from error
    rows = [("Role", "Name", "Email", "Password")]
    rows += [(c.role, c.display_name, c.email, c.password) for c in credentials]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    rule = "  ".join("-" * w for w in widths)
    click.echo("Demo community created. These passwords are shown only once:\n")
    for n, row in enumerate(rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo(rule)
    click.echo("\nLog in with the email and password above.")


@forum_cli.command("send-digests")
@click.option("--hours", type=click.IntRange(1, 24 * 14), default=None,
              help="Cohort activity of the last N hours (default NOTIFICATION_DIGEST_HOURS).")
def send_digests(hours: int | None) -> None:
    """Mail the daily notification digest to everyone with unread activity (run from cron)."""
    from flask import current_app

    from forum.services.notifications.mailing import send_digests as send

    hours = hours or current_app.config.get("NOTIFICATION_DIGEST_HOURS", 24)
    mailed, considered = send(since_hours=hours)
    click.echo(f"Sent {mailed} digest(s); {considered - mailed} of {considered} people "
               "had nothing new or no digest.")


@forum_cli.command("rerender")
@click.option("--batch", type=click.IntRange(1, 10_000), default=500, show_default=True,
              help="Rows per transaction.")
def rerender(batch: int) -> None:
    """Render stored posts and chat messages again with today's sanitizer rules."""
    from forum.services.rerender import rerender_stored_html

    for kind, (read, changed) in rerender_stored_html(batch).items():
        click.echo(f"{kind}: {changed} of {read} re-rendered")
    click.echo("Restart the app processes so no cached fragment keeps the old HTML.")


@forum_cli.command("clean-uploads")
@click.option("--orphan-hours", type=click.IntRange(0, 24 * 365), default=None,
              help="Delete uploads never posted after this many hours (UPLOAD_ORPHAN_HOURS).")
@click.option("--retention-days", type=click.IntRange(0, 3650), default=None,
              help="Delete removed files and files of deleted content after this many days "
                   "(UPLOAD_RETENTION_DAYS).")
def clean_uploads(orphan_hours: int | None, retention_days: int | None) -> None:
    """Delete stored files nobody can fetch any more (run it daily, e.g. from cron)."""
    from forum.services.uploads import cleanup

    deleted = cleanup(orphan_hours=orphan_hours, retention_days=retention_days)
    click.echo(f"Deleted {deleted} file(s).")
