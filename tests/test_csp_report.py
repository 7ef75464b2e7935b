"""CSP violations are reported to /csp-report and logged, so attempts are seen."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest

from forum.web.csp_report import CSP_REPORT_PATH, MAX_FIELD_CHARS, MAX_REPORTS_PER_POST


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production: browsers post reports without a token."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _logged(caplog) -> list[dict]:
    return [json.loads(record.getMessage().removeprefix("csp-violation "))
            for record in caplog.records if record.name == "forum.csp"]


def _post(client, body, content_type: str, address: str = "192.0.2.1"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(CSP_REPORT_PATH, data=data, content_type=content_type,
                       environ_base={"REMOTE_ADDR": address})


def test_pages_name_the_report_endpoint_and_keep_a_strict_policy(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["report-uri"] == "/csp-report"
    assert directives["report-to"] == "csp"
    assert response.headers["Reporting-Endpoints"] == 'csp="/csp-report"'
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_a_report_uri_violation_is_logged_on_one_line(client, caplog):
    caplog.set_level(logging.WARNING, logger="forum.csp")
    response = _post(client, {"csp-report": {
        "document-uri": "http://localhost/t/1", "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem", "blocked-uri": "inline\nforged log line",
        "source-file": "http://localhost/t/1", "line-number": 12, "disposition": "enforce"}},
        "application/csp-report")
    assert response.status_code == 204 and response.data == b""
    assert _logged(caplog) == [{
        "directive": "script-src-elem", "blocked_uri": "inline\nforged log line",
        "document_uri": "http://localhost/t/1", "source_file": "http://localhost/t/1",
        "line": "12", "disposition": "enforce"}]
    assert all("\n" not in record.getMessage() for record in caplog.records)


def test_report_to_batches_are_logged_bounded_and_truncated(client, caplog):
    caplog.set_level(logging.WARNING, logger="forum.csp")
    long_url = "https://evil.example/" + "a" * 1000
    report = {"type": "csp-violation", "url": "http://localhost/c", "body": {
        "documentURL": "http://localhost/c", "effectiveDirective": "img-src",
        "blockedURL": long_url, "disposition": "enforce"}}
    other = {"type": "deprecation", "url": "http://localhost/c", "body": {"id": "x"}}
    response = _post(client, [other, *[report] * 12], "application/reports+json")
    assert response.status_code == 204
    logged = _logged(caplog)
    assert len(logged) == MAX_REPORTS_PER_POST
    assert logged[0]["directive"] == "img-src"
    assert logged[0]["blocked_uri"] == long_url[:MAX_FIELD_CHARS]
    assert logged[0]["document_uri"] == "http://localhost/c"


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ({"csp-report": {}}, "text/plain", 415),
    ({"csp-report": {}}, "application/x-www-form-urlencoded", 415),
    ("not json", "application/csp-report", 400),
    (b"\xff\xfe{", "application/csp-report", 400),
    ("[" * 5000 + "]" * 5000, "application/reports+json", 400),
    ({"something": "else"}, "application/csp-report", 400),
    ("x" * (17 * 1024), "application/csp-report", 413),
])
def test_bad_reports_get_a_clear_error_and_log_nothing(client, caplog, body, content_type,
                                                       status):
    caplog.set_level(logging.WARNING, logger="forum.csp")
    assert _post(client, body, content_type).status_code == status
    assert _logged(caplog) == []


def test_a_chunked_report_is_read_no_further_than_the_limit(client, caplog):
    caplog.set_level(logging.WARNING, logger="forum.csp")
    response = client.post(CSP_REPORT_PATH, input_stream=io.BytesIO(b" " * (1024 * 1024)),
                           content_type="application/csp-report",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_base={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert _logged(caplog) == []


def test_reports_are_rate_limited_per_address(client, caplog):
    caplog.set_level(logging.WARNING, logger="forum.csp")
    report = {"csp-report": {"violated-directive": "img-src", "blocked-uri": "data"}}
    statuses = [_post(client, report, "application/csp-report", "198.51.100.7").status_code
                for _ in range(31)]
    assert statuses == [204] * 30 + [429]
    assert len(_logged(caplog)) == 30  # the refused report is not logged
    assert _post(client, report, "application/csp-report", "198.51.100.8").status_code == 204


@pytest.mark.live
def test_chromium_reports_a_blocked_image_and_the_server_logs_it(live_server, new_page):
    """Chromium delivers report-to reports in batches, over HTTPS; a browser without the
    Reporting API posts to report-uri at once: that is the page as such a browser reads it."""
    page = new_page()

    def without_report_to(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": response.headers[
            "content-security-policy"].replace("; report-to csp", "")}
        headers.pop("reporting-endpoints")
        route.fulfill(response=response, headers=headers)

    page.route(re.compile(r".*/login$"), without_report_to)
    page.goto(live_server.url + "/login")
    # What an injected image would do: the policy blocks it and the browser reports it.
    page.evaluate("""() => { const img = document.createElement('img');
                             img.src = 'https://blocked.invalid/pixel.png';
                             document.body.append(img); }""")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "blocked.invalid" not in live_server.log():
        time.sleep(0.1)
    line = next(line for line in live_server.log().splitlines() if "blocked.invalid" in line)
    violation = json.loads(line.split("csp-violation ", 1)[1])
    assert violation["directive"] == "img-src"
    assert violation["blocked_uri"] == "https://blocked.invalid/pixel.png"
    assert violation["document_uri"] == live_server.url + "/login"
