"""Avatars and headers (`update_credentials`): processed in the request, as Mastodon."""

from __future__ import annotations

import asyncio

from social.media import processing
from social.media.processing import Refused
from social.media.service import storage
from social.media.storage import new_key
from social.platform.context import AppContext
from social.platform.db.models import Account
from social.platform.errors import Invalid, NotFound

PROFILE_BOXES = {"avatar": (400, 400), "header": (1500, 500)}
"""Mastodon's avatar and header sizes: an upload is cropped to fill them."""
PROFILE_MAX_BYTES = 2 * 1024 * 1024
"""Mastodon's limit for an avatar or a header."""


async def set_profile_images(ctx: AppContext, account_id: int, files: dict[str, bytes]) -> None:
    """Process `avatar` and `header` uploads (synchronously, as Mastodon), store them, point
    the account at them in one transaction, then remove the files they replace. Any refusal
    (422, naming the field) comes before anything is stored."""
    made: dict[str, tuple[bytes, str]] = {}
    for kind, data in files.items():
        if len(data) > PROFILE_MAX_BYTES:
            raise Invalid(
                f"Validation failed: {kind.capitalize()} file size must be less than 2 MB",
                {kind: [{"error": "ERR_TOO_LARGE", "description": "is too large"}]},
            )
        try:
            made[kind] = await asyncio.to_thread(
                processing.profile_image, data, ctx.settings.media_max_pixels, PROFILE_BOXES[kind]
            )
        except Refused as exc:
            raise exc.invalid(kind) from None
    if not made:
        return
    store = storage(ctx)
    keys = {kind: new_key(kind, account_id, ext) for kind, (_, ext) in made.items()}
    try:
        for kind, (data, _) in made.items():
            await store.put(keys[kind], data)
        async with ctx.db() as db:
            account = await db.get(Account, account_id)
            if account is None:
                raise NotFound()
            old = [account.avatar_key if "avatar" in keys else None]
            old.append(account.header_key if "header" in keys else None)
            if "avatar" in keys:
                account.avatar_key = keys["avatar"]
            if "header" in keys:
                account.header_key = keys["header"]
            await db.commit()
    except BaseException:
        await store.delete(*keys.values())
        raise
    await store.delete(*old)
