"""The client's address: forwarded headers are believed only when sent by trusted proxies."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import Literal

from starlette.types import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientIP:
    """Resolves a scope's client address and groups it for rate limiting.

    `trusted_proxies` are CIDRs (or addresses); the special entry `"unix"` trusts a peer on
    a unix socket. The chain in `header` is walked right to left, skipping trusted hops; the
    first untrusted hop is the client. Only one header is read: a proxy that sets
    `X-Forwarded-For` passes a client's forged `Forwarded` through untouched.
    """

    def __init__(
        self,
        trusted_proxies: Iterable[str] = (),
        *,
        header: Literal["x-forwarded-for", "forwarded"] = "x-forwarded-for",
        ipv6_prefix: int = 64,
    ) -> None:
        entries = list(trusted_proxies)
        self.trust_unix = "unix" in entries
        self.trusted = [ipaddress.ip_network(e, strict=False) for e in entries if e != "unix"]
        self.header = header.encode("latin-1")
        self.ipv6_prefix = ipv6_prefix

    def address(self, scope: Scope) -> str | None:
        """The client's address as text, or None when the peer is unknown."""
        client = scope.get("client")
        peer = _parse(client[0]) if client else None
        if peer is None and not (client is None and self.trust_unix):
            return client[0] if client else None
        if peer is not None and not self._is_trusted(peer):
            return str(peer)
        nearest = peer
        for hop in reversed(self._chain(scope)):
            address = _parse(hop)
            if address is None:
                break  # garbage from the client side: stop at the last hop we could read
            nearest = address
            if not self._is_trusted(address):
                break
        return None if nearest is None else str(nearest)

    def key(self, scope: Scope) -> str | None:
        """The address to count under: IPv4 as is, IPv6 grouped by its /64 (by default)."""
        text = self.address(scope)
        if text is None:
            return None
        address = _parse(text)
        if isinstance(address, ipaddress.IPv6Address):
            return str(ipaddress.ip_network(f"{address}/{self.ipv6_prefix}", strict=False))
        return text

    def _is_trusted(self, address: IPAddress) -> bool:
        return any(address in network for network in self.trusted)

    def _chain(self, scope: Scope) -> list[str]:
        values = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == self.header]
        hops = [hop.strip() for value in values for hop in value.split(",")]
        if self.header == b"forwarded":
            hops = [_forwarded_for(element) for element in hops]
        return [hop for hop in hops if hop]


def _forwarded_for(element: str) -> str:
    for pair in element.split(";"):
        name, _, value = pair.strip().partition("=")
        if name.lower() == "for":
            return value.strip().strip('"') or "?"
    return "?"


@functools.lru_cache(maxsize=8192)
def _parse(text: str) -> IPAddress | None:
    """An address from `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]:443`.
    Cached: every request parses its peer (and hops) again, and `ipaddress` is slow."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address
