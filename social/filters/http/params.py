"""The filters' request bodies: Rails booleans, `context[]`, and `keywords_attributes` as Rails
reads nested form arrays (`keywords_attributes[][keyword]=a&keywords_attributes[][keyword]=b`
is two entries; `keywords_attributes[0][keyword]` names its entry), or a JSON list or object."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from starlette.requests import Request

from social.filters.service import FilterChange, KeywordChange, V1Change
from social.platform.paging import MAX_ID
from social.web.params import FORM_TYPES, read_params, validate

FALSE = frozenset({"0", "f", "false", "off", ""})


def _rails_bool(value: object) -> object:
    """As Rails casts a boolean: "0", "f", "false", "off" and "" are false, the rest true."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() not in FALSE
    return value


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


RailsBool = Annotated[bool | None, BeforeValidator(_rails_bool)]
Seconds = Annotated[
    Annotated[int, Field(ge=-(10**9), le=10**9)] | None, BeforeValidator(_blank_is_none)
]
EntryId = Annotated[Annotated[int, Field(ge=0, le=MAX_ID)] | None, BeforeValidator(_blank_is_none)]


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


class KeywordAttributes(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: EntryId = None
    keyword: str | None = Field(default=None, max_length=512)
    whole_word: RailsBool = None
    destroy: RailsBool = Field(default=None, alias="_destroy")

    def change(self) -> KeywordChange:
        return KeywordChange(self.id, self.keyword, self.whole_word, bool(self.destroy))


class FilterForm(BaseModel):
    """`POST /api/v2/filters` and `PUT /api/v2/filters/:id`; what is not given is kept."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(default=None, max_length=256)
    context: Annotated[list[str] | None, BeforeValidator(_one_or_many)] = Field(
        default=None, max_length=5
    )
    filter_action: str | None = Field(default=None, description="warn (default), hide or blur")
    expires_in: Seconds = Field(default=None, description="seconds from now; blank: never")
    keywords_attributes: list[KeywordAttributes] = Field(default_factory=list, max_length=100)

    @field_validator("keywords_attributes", mode="before")
    @classmethod
    def _indexed(cls, value: object) -> object:
        if isinstance(value, dict):  # {"0": {...}, "1": {...}}, as Rails accepts
            return [value[k] for k in sorted(value, key=lambda k: (len(str(k)), str(k)))]
        return value

    def change(self) -> FilterChange:
        return FilterChange(
            title=self.title,
            context=self.context,
            action=self.filter_action,
            expires_given="expires_in" in self.model_fields_set,
            expires_in_s=self.expires_in,
            keywords=[k.change() for k in self.keywords_attributes],
        )


class KeywordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    keyword: str | None = Field(default=None, max_length=512)
    whole_word: RailsBool = None


class StatusForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status_id: EntryId = None


class V1FilterForm(BaseModel):
    """`POST /api/v1/filters` and `PUT /api/v1/filters/:id`."""

    model_config = ConfigDict(extra="ignore")

    phrase: str | None = Field(default=None, max_length=256)
    context: Annotated[list[str] | None, BeforeValidator(_one_or_many)] = Field(
        default=None, max_length=5
    )
    irreversible: RailsBool = None
    whole_word: RailsBool = None
    expires_in: Seconds = None

    def change(self) -> V1Change:
        return V1Change(
            phrase=self.phrase,
            context=self.context,
            irreversible=self.irreversible,
            whole_word=self.whole_word,
            expires_given="expires_in" in self.model_fields_set,
            expires_in_s=self.expires_in,
        )


def nested_entries(items: list[tuple[str, Any]], name: str) -> list[dict[str, Any]]:
    """Rails' reading of `name[][field]` (a field seen again starts the next entry) and
    `name[<index>][field]` (by index, in index order)."""
    entries: list[dict[str, Any]] = []
    indexed: dict[str, dict[str, Any]] = {}
    prefix = f"{name}["
    for key, value in items:
        if not key.startswith(prefix) or not key.endswith("]"):
            continue
        index, _, field = key[len(prefix) : -1].partition("][")
        if not field:
            continue
        if index == "":
            if not entries or field in entries[-1]:
                entries.append({})
            entries[-1][field] = value
        else:
            indexed.setdefault(index, {})[field] = value
    return entries + [indexed[i] for i in sorted(indexed, key=lambda i: (len(i), i))]


async def filter_params(request: Request) -> dict[str, Any]:
    params = await read_params(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        form = await request.form()  # read once by read_params: Starlette keeps it
        items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        params["keywords_attributes"] = nested_entries(items, "keywords_attributes")
    return params


async def parse_filter_form(request: Request) -> FilterChange:
    return validate(FilterForm, await filter_params(request)).change()
