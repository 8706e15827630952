"""Hypothesis strategies for the domain's values."""

from __future__ import annotations

import string

from hypothesis import strategies as st

_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
_LABEL_INNER = string.ascii_lowercase + string.digits + "-"

atoms = st.text(alphabet=_ATEXT, min_size=1, max_size=10)
local_parts = st.lists(atoms, min_size=1, max_size=3).map(".".join).filter(lambda s: len(s) <= 64)
labels = st.from_regex(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
domains = st.lists(labels, min_size=2, max_size=4).map(".".join)
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
"""Valid addresses in any letter case."""
padding = st.text(alphabet=" \t\n", max_size=3)

usernames = st.from_regex(r"[a-z0-9_.-]{3,32}", fullmatch=True)
slugs = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])", fullmatch=True)
