"""The application boots, serves its pages and protects them."""

from __future__ import annotations


def test_health_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_pages_carry_a_nonce_csp_without_unsafe_inline(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.data


def test_html_declares_language_and_direction(client):
    page = client.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page


def test_login_and_logout(client, auth, make):
    make.user("amina", display_name="Amina")
    response = auth.login("amina@example.org")
    assert response.status_code == 302
    assert "Amina" in client.get("/c").get_data(as_text=True)
    auth.logout()
    assert client.get("/c").status_code == 302


def test_wrong_password_keeps_email_and_explains(client, auth, make):
    make.user("amina")
    response = auth.login("amina@example.org", "wrong password")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wrong email or password." in page
    assert 'value="amina@example.org"' in page


def test_next_redirect_is_local_only(client, make):
    make.user("amina")
    data = {"email": "amina@example.org", "password": make.PASSWORD}
    response = client.post("/login", data={**data, "next": "//evil.example/x"})
    assert response.location == "/"
    client.post("/logout")
    response = client.post("/login", data={**data, "next": "/c?sort=new"})
    assert response.location == "/c?sort=new"
