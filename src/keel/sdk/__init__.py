"""What a partner needs to call keel's partner API: the request signer (standard library only) and an httpx
authentication class built on it. Nothing here imports the rest of keel, so the package can be vendored as is.

```python
from keel.sdk import sign_request

headers = sign_request("GET", "https://api.example.com/api/v1/partner/users?limit=50", {}, b"",
                       client_id=CLIENT_ID, secret=SECRET)
```
"""

from keel.sdk.signing import (
    ALGORITHM,
    REQUIRED_SIGNED_HEADERS,
    Authorization,
    MalformedSignature,
    canonical_request,
    format_date,
    parse_authorization,
    parse_date,
    sign_request,
    signature,
    string_to_sign,
)

__all__ = [
    "ALGORITHM",
    "REQUIRED_SIGNED_HEADERS",
    "Authorization",
    "MalformedSignature",
    "canonical_request",
    "format_date",
    "parse_authorization",
    "parse_date",
    "sign_request",
    "signature",
    "string_to_sign",
]
