"""Redis: the client resource, the adapters behind the application's ``Cache`` port, and the user cache.

The user cache (``CachedUserRepository`` over ``UserCacheStore``) reads single users through Redis with leases against
stale sets, compresses them with a trained zstd dictionary (``codec``, ``user_codec``, ``dictionaries``) and never
fails a read because of Redis (``breaker``). See ``docs/adr/0004-user-cache-consistency.md``.
"""
