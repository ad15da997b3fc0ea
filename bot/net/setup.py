"""Builds the fetcher from the config's network section and the operator's flags."""

from __future__ import annotations

import ipaddress

from bot.config import NetworkPolicy
from bot.errors import ConfigError
from bot.net.fetcher import GuardedFetcher, NetworkSettings, Progress
from bot.net.guard import AddressPolicy, IPNetwork


def address_policy(network: NetworkPolicy, allow_private_hosts: bool) -> AddressPolicy:
    """The flag and the config can only widen the policy; nothing in a PR reaches either."""
    allowed: list[IPNetwork] = []
    for text in network.allowed_networks:
        try:
            allowed.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ConfigError(
                f"network.allowed_networks: {text!r} is not a network ({exc})"
            ) from exc
    return AddressPolicy(
        allow_private=allow_private_hosts or network.allow_private_hosts,
        allowed_networks=tuple(allowed),
    )


def settings(network: NetworkPolicy) -> NetworkSettings:
    return NetworkSettings(
        timeout=network.timeout_seconds,
        budget=network.budget_seconds,
        per_host=network.per_host,
        total=network.concurrency,
        retries=network.retries,
        checksum_bytes=network.checksum_max_bytes,
        checksum_seconds=network.checksum_seconds,
    )


def build_fetcher(
    network: NetworkPolicy, allow_private_hosts: bool, progress: Progress | None = None
) -> GuardedFetcher:
    return GuardedFetcher(
        address_policy(network, allow_private_hosts), settings(network), progress=progress
    )
