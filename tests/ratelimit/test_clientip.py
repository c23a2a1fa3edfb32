"""Client addresses: forwarded headers only from trusted proxies; IPv6 grouped by /64."""

from __future__ import annotations

from typing import Any

from ratelimit import ClientIP


def scope(peer: str | None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "client": (peer, 4711) if peer else None,
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }


def test_forwarded_for_is_ignored_from_an_untrusted_peer() -> None:
    resolver = ClientIP()
    assert resolver.address(scope("203.0.113.9", {"X-Forwarded-For": "1.2.3.4"})) == "203.0.113.9"


def test_trusted_proxy_chain_is_walked_right_to_left() -> None:
    resolver = ClientIP(["10.0.0.0/8", "192.168.1.1"])
    forged = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 192.168.1.1"}
    assert resolver.address(scope("10.1.2.3", forged)) == "198.51.100.7"
    assert resolver.address(scope("10.1.2.3")) == "10.1.2.3"
    all_trusted = {"X-Forwarded-For": "10.9.9.9, 192.168.1.1"}
    assert resolver.address(scope("10.1.2.3", all_trusted)) == "10.9.9.9"


def test_garbage_in_the_chain_stops_at_the_nearest_readable_hop() -> None:
    resolver = ClientIP(["10.0.0.0/8"])
    assert resolver.address(scope("10.0.0.1", {"X-Forwarded-For": "junk, 10.0.0.2"})) == "10.0.0.2"


def test_forwarded_header_with_ports_and_ipv6() -> None:
    resolver = ClientIP(["10.0.0.0/8"], header="forwarded")
    value = 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.5:80'
    assert resolver.address(scope("10.0.0.1", {"Forwarded": value})) == "2001:db8:cafe::17"
    # only the configured header is read
    assert resolver.address(scope("10.0.0.1", {"X-Forwarded-For": "1.2.3.4"})) == "10.0.0.1"


def test_unix_socket_peer_is_trusted_only_when_configured() -> None:
    headers = {"X-Forwarded-For": "198.51.100.7"}
    assert ClientIP().address(scope(None, headers)) is None
    assert ClientIP(["unix"]).address(scope(None, headers)) == "198.51.100.7"


def test_ipv6_clients_are_grouped_by_64() -> None:
    resolver = ClientIP()
    a = resolver.key(scope("2001:db8:1:2:aaaa::1"))
    b = resolver.key(scope("2001:db8:1:2:bbbb::2"))
    c = resolver.key(scope("2001:db8:1:3::1"))
    assert a == b == "2001:db8:1:2::/64"
    assert c != a
    assert resolver.key(scope("::ffff:192.0.2.8")) == "192.0.2.8"
    assert resolver.key(scope("192.0.2.8")) == "192.0.2.8"
