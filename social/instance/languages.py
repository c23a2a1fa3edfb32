"""The languages a post may be written in (`GET /api/v1/instance/languages`): as Mastodon, every
ISO 639-1 language and the few ISO 639-3 ones Mastodon adds; codes and English names from
ISO 639 itself (the `pycountry` package, Debian's iso-codes data)."""

from __future__ import annotations

import functools

import pycountry

# Languages without an ISO 639-1 code that Mastodon offers too (its LanguagesHelper::ISO_639_3).
MASTODON_ISO_639_3 = "ast chr ckb cnr jbo kab ldn lfn sco sma smj szl tok xal zba zgh".split()  # noqa: SIM905


@functools.cache
def languages() -> tuple[tuple[str, str], ...]:
    """(code, name) of each language, ordered by code; read once a process."""
    found = {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    for code in MASTODON_ISO_639_3:
        lang = pycountry.languages.get(alpha_3=code)
        if lang is not None:
            found[code] = lang.name
    return tuple(sorted(found.items()))
