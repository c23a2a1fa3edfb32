"""Request parameters -> pydantic models (JSON, form and query bodies, Mastodon-style 422s),
and ids in paths."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import FormData, QueryParams, UploadFile
from starlette.requests import Request

from social.platform.paging import MAX_ID
from social.web.errors import ApiError, not_found

M = TypeVar("M", bound=BaseModel)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

ERROR_CODES = {
    "missing": "ERR_BLANK",
    "string_too_short": "ERR_TOO_SHORT",
    "string_too_long": "ERR_TOO_LONG",
    "too_long": "ERR_TOO_LONG",
    "value_error": "ERR_INVALID",
    "string_pattern_mismatch": "ERR_INVALID",
}


async def read_params(request: Request) -> dict[str, Any]:
    """Query parameters overlaid with the body (JSON object or form), as Rails merges them."""
    params = multi_to_dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in ("GET", "HEAD"):
        return params
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = await request.body()
        if raw.strip():
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise ApiError(400, "Malformed JSON body") from None
            if not isinstance(body, dict):
                raise ApiError(422, "Validation failed: the body must be a JSON object")
            for key, value in body.items():
                _refuse_nul(key, value)
            params.update(body)
    elif content_type in FORM_TYPES:
        params.update(multi_to_dict(await request.form()))
    elif content_type and await request.body():
        raise ApiError(415, f"Unsupported media type {content_type}")
    return params


async def parse_with_files(
    request: Request, model: type[M], names: tuple[str, ...]
) -> tuple[M, dict[str, bytes]]:
    """A multipart form (or any body `parse` reads) with the files named `names` read whole
    (the front layer bounds the body); a file under another name is refused."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        return await parse(request, model), {}
    form = await request.form()
    try:
        uploads: dict[str, UploadFile] = {}
        params = multi_to_dict(request.query_params)
        params.update(multi_to_dict(form, files=uploads, accept=names))
        files = {name: await upload.read() for name, upload in uploads.items()}
    finally:
        await form.close()  # every file's temporary storage, refused ones too
    return validate(model, params), files


def multi_to_dict(
    multi: QueryParams | FormData,
    *,
    files: dict[str, UploadFile] | None = None,
    accept: tuple[str, ...] = (),
) -> dict[str, Any]:
    """`a[]=1&a[]=2` -> {"a": ["1", "2"]}; `source[note]=x` -> {"source": {"note": "x"}};
    nested as Rails nests them: `poll[options][]=a` -> {"poll": {"options": ["a"]}}.

    A key given twice is a list too (`a=1&a=2`, `a[b]=1&a[b]=2`), so a field that wants one
    value rejects it instead of silently keeping the last. A name that is already a value or a
    list where an object is wanted (or the other way round) keeps what came first. Uploaded
    files go to `files` when their name is in `accept` (once each); any other is refused."""
    out: dict[str, Any] = {}
    for key, value in multi.multi_items():
        if isinstance(value, UploadFile):
            if files is None or key not in accept:
                raise ApiError(422, "Validation failed: file uploads are not supported here")
            if key in files:
                raise field_error(key, "must be one file")
            files[key] = value
            continue
        _refuse_nul(key.removesuffix("[]"), value)
        path = _key_path(key)
        if path is None:
            if key in out:
                seen = out[key]
                out[key] = [*seen, value] if isinstance(seen, list) else [seen, value]
            else:
                out[key] = value
            continue
        *objects, leaf = path
        if leaf == "":  # `...[name][]`: a list
            *objects, leaf = objects
            container = _objects(out, objects)
            listed = container.setdefault(leaf, []) if container is not None else None
            if isinstance(listed, list):
                listed.append(value)
        elif (container := _objects(out, objects)) is not None:
            if leaf in container:  # given twice: a list, as a plain key
                seen = container[leaf]
                container[leaf] = [*seen, value] if isinstance(seen, list) else [seen, value]
            else:
                container[leaf] = value
    return out


def _key_path(key: str) -> list[str] | None:
    """`a[b][]` -> ["a", "b", ""]; None for a plain name, or one not shaped so."""
    base, bracket, rest = key.partition("[")
    if not bracket or not base or not rest.endswith("]"):
        return None
    parts = rest[:-1].split("][")
    if any("[" in p or "]" in p for p in parts) or "" in parts[:-1]:
        return None
    return [base, *parts]


def _objects(out: dict[str, Any], names: list[str]) -> dict[str, Any] | None:
    """The object at `names` in `out`, made where missing; None where a value is in the way."""
    container = out
    for name in names:
        found = container.setdefault(name, {})
        if not isinstance(found, dict):
            return None
        container = found
    return container


def _refuse_nul(field: str, value: object) -> None:
    """PostgreSQL cannot store U+0000 in text: refused up front, on every backend alike."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(f"{field}.{key}", item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(field, item)
    elif isinstance(value, str) and "\x00" in value:
        raise field_error(field.replace("\x00", ""), "must not contain NUL characters")


_DEFAULTS: dict[type[BaseModel], BaseModel] = {}


def parse_query(request: Request, model: type[M]) -> M:
    """The query string, validated by `model`. Without one, the model's defaults (made once:
    most reads ask for a first page)."""
    if request.scope.get("query_string"):
        return validate(model, multi_to_dict(request.query_params))
    found = _DEFAULTS.get(model)
    if found is None:
        found = _DEFAULTS[model] = validate(model, {})
    assert isinstance(found, model)
    return found


def validate(model: type[M], params: dict[str, Any]) -> M:
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise validation_error(exc) from None


async def parse(request: Request, model: type[M]) -> M:
    return validate(model, await read_params(request))


def validation_error(exc: ValidationError) -> ApiError:
    details: dict[str, list[dict[str, str]]] = {}
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"]) or "body"
        message = str(err["msg"]).removeprefix("Value error, ")
        kind = str(err["type"])  # a validator's own refusal names Mastodon's code itself
        code = kind if kind.startswith("ERR_") else ERROR_CODES.get(kind, "ERR_INVALID")
        details.setdefault(field, []).append({"error": code, "description": message})
    summary = ", ".join(f"{field} {items[0]['description']}" for field, items in details.items())
    return ApiError(422, f"Validation failed: {summary}", details=details)


def field_error(field: str, message: str, code: str = "ERR_INVALID") -> ApiError:
    return ApiError(
        422,
        f"Validation failed: {field} {message}",
        details={field: [{"error": code, "description": message}]},
    )


def is_id(raw: str) -> bool:
    """ASCII digits of a 64-bit id (`str.isdigit` also takes "²" and Arabic-Indic digits)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) <= MAX_ID


def parse_id(raw: str) -> int:
    """A path id; anything that is not a 64-bit id is simply not found."""
    if not is_id(raw):
        raise not_found()
    return int(raw)


Id = Annotated[int, Field(ge=0, le=MAX_ID)]


class IdsQuery(BaseModel):
    """`?id[]=1&id[]=2` (or one `id=1`): several records at once, in the order asked, each
    once. A subclass sets how many may be asked (Mastodon: 40 accounts, 20 statuses)."""

    model_config = ConfigDict(extra="ignore")

    id: list[Id] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str | int) else value

    def unique(self) -> list[int]:
        return list(dict.fromkeys(self.id))
