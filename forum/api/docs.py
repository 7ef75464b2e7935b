"""The browsable API reference: a server-rendered page built from the generated OpenAPI
document (no third-party script, so it works under our strict Content-Security-Policy)."""

from __future__ import annotations

from flask import current_app, render_template

from forum.api import bp


@bp.get("/docs")
def reference():
    """The API reference, generated from the same spec as /api/v1/openapi.json."""
    spec = current_app.extensions["commons-api"].spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "tag": (op.get("tags") or [""])[0],
                "parameters": op.get("parameters", []),
                "body": _body_schema(op), "responses": op.get("responses", {}),
            })
    tags = spec.get("tags", [])
    return render_template("api/reference.html", spec=spec, tags=tags, operations=operations,
                           schemas=spec.get("components", {}).get("schemas", {}))


def _body_schema(op: dict) -> str | None:
    content = op.get("requestBody", {}).get("content", {})
    for media in content.values():
        ref = media.get("schema", {}).get("$ref", "")
        return ref.rsplit("/", 1)[-1] or None
    return None
