"""The domain: entities, value objects, domain events and domain services. Pure Python: no framework imports."""
