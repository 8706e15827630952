"""Calling URLs that users give keel (webhooks) without letting them reach keel's own network."""

from keel.infrastructure.outbound.addresses import blocked_reason
from keel.infrastructure.outbound.http_client import GuardedNetworkBackend, guarded_http_client
from keel.infrastructure.outbound.resolver import HostResolver, SystemResolver
from keel.infrastructure.outbound.url_policy import PublicUrlPolicy

__all__ = [
    "GuardedNetworkBackend",
    "HostResolver",
    "PublicUrlPolicy",
    "SystemResolver",
    "blocked_reason",
    "guarded_http_client",
]
