"""`/openapi.json`, generated from the pydantic models each handler declares with `@endpoint`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Mount, Route

from social import __version__
from social.web.entities import Error

Auth = Literal["none", "optional", "token", "user", "app"]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Endpoint:
    summary: str
    auth: Auth = "none"
    scopes: tuple[str, ...] = ()
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    many: bool = False
    status: int = 200
    also: tuple[int, ...] = field(default=())
    """Other success statuses with the same body (media: 200 or 202, 206 while processing)."""
    errors: tuple[int, ...] = field(default=())
    media_type: str = "application/json"


def endpoint(summary: str, **options: Any) -> Callable[[F], F]:
    spec = Endpoint(summary=summary, **options)

    def attach(handler: F) -> F:
        handler.__openapi__ = spec  # type: ignore[attr-defined]
        return handler

    return attach


def _walk(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, Route]]:
    found: list[tuple[str, Route]] = []
    for route in routes:
        if isinstance(route, Mount):
            found += _walk(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            found.append((prefix + route.path, route))
    return found


def build(routes: list[BaseRoute], *, title: str) -> dict[str, Any]:
    specs = [
        (path, route, route.endpoint.__openapi__)
        for path, route in _walk(routes)
        if hasattr(route.endpoint, "__openapi__")
    ]
    models: set[type[BaseModel]] = {Error}
    for _, _, spec in specs:
        models.update(m for m in (spec.query, spec.body, spec.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    refs, schema = models_json_schema(
        [(m, "validation") for m in ordered], ref_template="#/components/schemas/{model}"
    )
    components = schema.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for path, route, spec in specs:
        template = re.sub(r"{(\w+)(:\w+)?}", r"{\1}", path)
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            paths.setdefault(template, {})[method.lower()] = _operation(
                template, method, spec, refs
            )
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


FORM = "application/x-www-form-urlencoded"


def _object_fields(model: type[BaseModel]) -> list[str]:
    """The fields of `model` that hold an object (a model, or none)."""
    return [
        info.alias or name
        for name, info in model.model_fields.items()
        if any(
            isinstance(t, type) and issubclass(t, BaseModel)
            for t in (info.annotation, *get_args(info.annotation))
        )
    ]


def _operation(path: str, method: str, spec: Endpoint, refs: dict[Any, Any]) -> dict[str, Any]:
    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return dict(refs[(model, "validation")])

    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]
    if spec.query is not None:
        properties = spec.query.model_json_schema()["properties"]
        for name, info in spec.query.model_fields.items():
            schema = properties[info.alias or name]
            # Lists are sent the Rails way, as Mastodon documents them: `id[]=1&id[]=2`.
            suffix = "[]" if schema.get("type") == "array" else ""
            params.append(
                {
                    "name": f"{info.alias or name}{suffix}",
                    "in": "query",
                    "required": info.is_required(),
                    "schema": schema,
                }
            )
    operation: dict[str, Any] = {"summary": spec.summary, "parameters": params}
    if spec.auth in ("token", "user", "app"):
        operation["security"] = [{"bearer": list(spec.scopes)}]
    elif spec.auth == "optional":
        operation["security"] = [{"bearer": list(spec.scopes)}, {}]
    if spec.body is not None:
        schema = ref(spec.body)
        content = {"application/json": {"schema": schema}}
        # A form nests the Rails way (`poll[options][]=a`), which OpenAPI's form encodings
        # cannot say of a nullable object: such a body is documented as JSON only.
        if not _object_fields(spec.body):
            content[FORM] = {"schema": schema}
        operation["requestBody"] = {"required": True, "content": content}
    if spec.response is None:
        ok: dict[str, Any] = {"description": "OK"}
    else:
        body = ref(spec.response)
        if spec.many:
            body = {"type": "array", "items": body}
        ok = {"description": "OK", "content": {spec.media_type: {"schema": body}}}
    responses: dict[str, Any] = {str(status): ok for status in (spec.status, *spec.also)}
    error_body = {"content": {"application/json": {"schema": ref(Error)}}}
    statuses = set(spec.errors) | {413, 429, 503}
    if spec.body is not None or spec.query is not None:
        statuses |= {400, 422}
    if spec.auth != "none":
        statuses |= {401, 403}
    for status in sorted(statuses):
        responses[str(status)] = {"description": "Error", **error_body}
    operation["responses"] = responses
    return operation
