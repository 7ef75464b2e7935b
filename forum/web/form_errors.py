"""Putting a service's domain errors onto a WTForms form."""

from __future__ import annotations

from flask_wtf import FlaskForm

from forum.errors import Invalid


def apply_errors(form: FlaskForm, error: Invalid) -> None:
    """Show a service's field errors next to the fields, or at the top of the form."""
    for name, message in error.fields.items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)
    if not error.fields:
        form.form_errors.append(error.message)


def form_status(form: FlaskForm) -> int:
    """422 when a submitted form is shown again with errors, else 200."""
    return 422 if form.errors or form.form_errors else 200
