"""How the API reads request bodies: webargs' parser with the input checks of
forum/lib/input_checks.py (JSON depth, lone surrogates), so bad input is a JSON problem."""

from __future__ import annotations

import typing

import flask
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from forum.lib import input_checks


class CheckedParser(FlaskParser):
    """webargs' Flask parser whose JSON goes through `input_checks.loads`.

    Its errors are domain errors (400 `bad_request`, 422 `invalid`), mapped once to problems;
    malformed JSON and bytes that are not UTF-8 keep webargs' own 400.
    """

    def _raw_load_json(self, req: flask.Request) -> typing.Any:
        if not is_json_request(req):
            return core.missing
        return input_checks.loads(req.get_data(cache=True).decode("utf-8"))


class CheckedBlueprint(Blueprint):
    """A flask-smorest blueprint parsing its arguments with `CheckedParser`."""

    ARGUMENTS_PARSER = CheckedParser()
