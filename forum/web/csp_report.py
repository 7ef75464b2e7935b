"""Content-Security-Policy violation reports: browsers POST them here, each becomes a log line.

Pages name this endpoint twice in their policy (forum/__init__.py): `report-to` with the
Reporting-Endpoints header set below, and `report-uri` for browsers without the Reporting API.
A blocked script or frame is then seen in the logs instead of passing silently.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Flask, Response, abort, request

from forum.extensions import csrf, limiter

CSP_REPORT_PATH = "/csp-report"
CSP_REPORT_GROUP = "csp"  # the name report-to gives the endpoint in Reporting-Endpoints
CSP_REPORT_LIMIT = "30 per minute"  # per client address: a page in a loop cannot flood the logs
MAX_REPORT_BYTES = 16 * 1024
MAX_REPORTS_PER_POST = 10
MAX_FIELD_CHARS = 200
# application/csp-report (report-uri), application/reports+json (report-to); some browsers
# sent report-uri bodies as plain JSON.
REPORT_TYPES = frozenset({"application/csp-report", "application/reports+json",
                          "application/json"})

log = logging.getLogger("forum.csp")
bp = Blueprint("csp_report", __name__)


@bp.post(CSP_REPORT_PATH)
@csrf.exempt  # browsers send reports without a page's token
@limiter.limit(CSP_REPORT_LIMIT)
def csp_report() -> Response:
    """Log the violations a browser reports (a few per request, fields truncated); answer 204."""
    if request.mimetype not in REPORT_TYPES:
        abort(415)
    # Read one byte past the limit, no more: a chunked body has no length to refuse it by.
    request.max_content_length = MAX_REPORT_BYTES + 1
    data = request.get_data(cache=False)
    if len(data) > MAX_REPORT_BYTES:
        abort(413)
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond the parser
        abort(400)
    violations = _violations(payload)
    if violations is None:
        abort(400)
    for violation in violations[:MAX_REPORTS_PER_POST]:
        # One JSON object per line: no report can forge another log line.
        log.warning("csp-violation %s", json.dumps(violation, sort_keys=True))
    return Response(status=204)


def _violations(payload: object) -> list[dict[str, str]] | None:
    """The violations in a report body of either format; None if it is neither."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        report = payload["csp-report"]  # report-uri: {"csp-report": {"blocked-uri": …}}
        return [_violation(
            report.get("effective-directive") or report.get("violated-directive"),
            report.get("blocked-uri"), report.get("document-uri"), report.get("source-file"),
            report.get("line-number"), report.get("disposition"))]
    if isinstance(payload, list):  # report-to: [{"type": "csp-violation", "body": {…}}, …]
        return [_violation(
            body.get("effectiveDirective"), body.get("blockedURL"),
            body.get("documentURL") or report.get("url"), body.get("sourceFile"),
            body.get("lineNumber"), body.get("disposition"))
            for report in payload
            if isinstance(report, dict) and report.get("type") == "csp-violation"
            and isinstance(body := report.get("body"), dict)]
    return None


def _violation(directive, blocked, document, source, line, disposition) -> dict[str, str]:
    fields = {"directive": directive, "blocked_uri": blocked, "document_uri": document,
              "source_file": source, "line": line, "disposition": disposition}
    return {name: _truncated(value) for name, value in fields.items()}


def _truncated(value: object) -> str:
    """A reported field as bounded text (anything but a string or a number is dropped)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value)[:MAX_FIELD_CHARS]


def register(app: Flask) -> None:
    """Serve the endpoint and name it in the Reporting-Endpoints header of every page."""
    app.register_blueprint(bp)

    @app.after_request
    def _reporting_endpoints(response: Response) -> Response:
        # Every HTML response carries the policy (flask-talisman adds it after this runs).
        if response.mimetype == "text/html":
            response.headers["Reporting-Endpoints"] = f'{CSP_REPORT_GROUP}="{CSP_REPORT_PATH}"'
        return response
