"""Event payloads: one typed record per topic, read back as written, and from before a field."""

from __future__ import annotations

import orjson

from social.platform.events.topics import (
    TOPICS,
    AnnouncementPublished,
    AnnouncementReacted,
    AnnouncementWithdrawn,
    BlockCreated,
    FavouriteCreated,
    FavouriteDeleted,
    FollowCreated,
    FollowRequested,
    MediaUploaded,
    MuteCreated,
    StatusCreated,
    StatusDeleted,
    StatusUpdated,
    TagFollowed,
    TagUnfollowed,
    Topic,
    decode,
)


def test_each_topic_reads_back_what_was_written_through_json() -> None:
    events = [
        StatusCreated(7, 1, "public", 1.5, 3, 2, (4, 5), ("café",)),
        StatusDeleted(7, 1, "direct", 1.5, mention_ids=(4,)),
        StatusUpdated(7, 1, "public", 1.5, edit_id=8, new_mention_ids=(4,)),
        FavouriteCreated(2, 7, 1),
        FavouriteDeleted(2, 7, 1),
        FollowCreated(1, 2),
        FollowCreated(1, 2, authorized=True),
        FollowRequested(1, 2, 99),
        BlockCreated(1, 2),
        MuteCreated(1, 2, 1.5e9),
        TagFollowed(1, 3),
        TagUnfollowed(1, 3),
        AnnouncementPublished(9),
        AnnouncementWithdrawn(9),
        AnnouncementReacted(9, "🎉"),
        MediaUploaded(5, 1),
    ]
    for event in events:
        wire = orjson.loads(orjson.dumps(event.payload()))  # as the outbox stores it
        assert decode(event.name, wire) == event


def _named(kind: type[Topic]) -> list[type[Topic]]:
    below = [k for sub in kind.__subclasses__() for k in _named(sub)]
    return [kind, *below] if kind.name else below


def test_names_are_distinct_and_every_topic_is_known() -> None:
    names = [topic.name for topic in TOPICS.values()]
    assert len(set(names)) == len(names)
    assert {kind.name for kind in _named(Topic)} == set(TOPICS)  # none left out of it
    assert all(TOPICS[name].name == name for name in TOPICS)
    assert decode("something.else", {}) is None


def test_a_payload_from_before_a_field_still_decodes() -> None:
    # deletions were written without the reply fields before they had a record of their own
    old = {"status_id": 7, "account_id": 1, "visibility": "public", "created_at": 2.0}
    event = decode("status.deleted", {**old, "tags": ["a"], "mention_ids": []})
    assert event == StatusDeleted(7, 1, "public", 2.0, tags=("a",))
