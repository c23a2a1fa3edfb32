"""`social admin announce | rules | description`: an admin at the command line, and what
people's apps then see over the API."""

from __future__ import annotations

import asyncio
import io

import httpx
import pytest
from starlette.applications import Starlette

from social.cli import main
from tests.announcements.helpers import shown
from tests.helpers import make_user, register_app


async def social(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`social ARGV` in this process (its own event loop, in a thread): exit code, out, err."""

    def run() -> int:
        try:
            main(list(argv))
        except SystemExit as stop:
            return int(stop.code or 0)
        raise AssertionError("main() did not exit")

    capsys.readouterr()
    code = await asyncio.to_thread(run)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def same_database(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """The commands use the test's database, as `DATABASE_URL` tells them."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SOCIAL_LOG_LEVEL", "warning")


async def test_announce_from_the_command_line(
    app: Starlette, client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    code, out, _ = await social(capsys, "admin", "announce", "create", "Down at <noon>")
    assert code == 0
    announcement_id = out.split("\t")[0]
    assert out.split("\t")[1] == "shown"
    code, out, _ = await social(
        capsys,
        "admin",
        "announce",
        "create",
        "Party",
        "--starts-at",
        "2020-01-01T00:00:00Z",
        "--ends-at",
        "2999-01-01T00:00:00Z",
        "--all-day",
    )
    assert code == 0
    party = out.split("\t")[0]
    code, out, _ = await social(capsys, "admin", "announce", "create", "Later", "--draft")
    draft = out.split("\t")[0]
    assert out.split("\t")[1] == "draft"

    seen = await shown(client, alice.auth)
    assert [a["id"] for a in seen] == [party, announcement_id]
    assert seen[1]["content"] == "<p>Down at &lt;noon&gt;</p>"
    assert seen[0]["all_day"] is True

    code, out, _ = await social(capsys, "admin", "announce", "list")
    assert [line.split("\t")[:2] for line in out.splitlines()] == [
        [draft, "draft"],
        [party, "shown 2020-01-01T00:00:00+00:00 .. 2999-01-01T00:00:00+00:00 (all day)"],
        [announcement_id, "shown"],
    ]
    assert (await social(capsys, "admin", "announce", "edit", party, "--text", "Fête"))[0] == 0
    assert (await social(capsys, "admin", "announce", "publish", draft))[0] == 0
    assert (await social(capsys, "admin", "announce", "end", announcement_id))[0] == 0
    seen = await shown(client, alice.auth)
    assert [a["content"] for a in seen] == ["<p>Fête</p>", "<p>Later</p>"]

    assert (await social(capsys, "admin", "announce", "unpublish", party))[0] == 0
    assert (await social(capsys, "admin", "announce", "delete", draft))[0] == 0
    assert await shown(client, alice.auth) == []


async def test_refusals_exit_non_zero_and_change_nothing(
    app: Starlette, client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await social(capsys, "admin", "announce", "create", "   ")
    assert code == 2
    assert "text can't be blank" in err
    code, _, err = await social(
        capsys, "admin", "announce", "create", "x", "--starts-at", "soon", "--ends-at", "later"
    )
    assert code == 2
    assert "starts_at is not a date and time" in err
    code, _, err = await social(capsys, "admin", "announce", "publish", "12345")
    assert code == 1
    assert "no announcement with id 12345" in err
    code, _, err = await social(capsys, "admin", "rules", "delete", "12345")
    assert code == 1
    assert "no rule with id 12345" in err
    code, out, _ = await social(capsys, "admin", "announce", "list")
    assert (code, out) == (0, "")


async def test_rules_and_description_from_the_command_line(
    app: Starlette,
    client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = await social(capsys, "admin", "rules", "add", "Be kind", "--hint", "Always")
    assert code == 0
    kind = out.split("\t")[0]
    await social(capsys, "admin", "rules", "add", "No spam", "--position", "0")
    rules = (await client.get("/api/v1/instance/rules")).json()
    assert [(r["text"], r["hint"]) for r in rules] == [("No spam", ""), ("Be kind", "Always")]
    code, out, _ = await social(capsys, "admin", "rules", "list")
    assert [line.split("\t")[2] for line in out.splitlines()] == ["No spam", "Be kind"]
    assert (await social(capsys, "admin", "rules", "delete", kind))[0] == 0
    rules = (await client.get("/api/v1/instance/rules")).json()
    assert [r["text"] for r in rules] == ["No spam"]

    code, out, _ = await social(capsys, "admin", "description", "show")
    assert out == "(none)\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("About us\n\nhttps://example.com"))
    assert (await social(capsys, "admin", "description", "set", "-"))[0] == 0
    about = (await client.get("/api/v1/instance/extended_description")).json()
    assert about["content"].startswith('<p>About us</p><p><a href="https://example.com"')
    assert about["updated_at"] is not None
    assert (await social(capsys, "admin", "description", "clear"))[0] == 0
    about = (await client.get("/api/v1/instance/extended_description")).json()
    assert about == {"updated_at": None, "content": ""}
