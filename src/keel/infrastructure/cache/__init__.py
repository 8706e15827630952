"""Redis client resource and the cache adapters behind the application's ``Cache`` port."""
