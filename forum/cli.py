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
