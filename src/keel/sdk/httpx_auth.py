"""``KeelHmacAuth``: sign every request an httpx client sends (needs ``httpx``, which the signer itself does not).

```python
import httpx
from keel.sdk.httpx_auth import KeelHmacAuth

with httpx.Client(base_url="https://api.example.com", auth=KeelHmacAuth(CLIENT_ID, SECRET)) as client:
    page = client.get("/api/v1/partner/users", params={"limit": 50}).json()
```

Each request, retries included, gets a new nonce and the current time.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from keel.sdk.signing import sign_request


class KeelHmacAuth(httpx.Auth):
    requires_request_body = True

    def __init__(self, client_id: str, secret: str) -> None:
        self._client_id = client_id
        self._secret = secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        signed = sign_request(
            request.method,
            str(request.url),
            dict(request.headers),
            request.content,
            client_id=self._client_id,
            secret=self._secret,
        )
        request.headers.update(signed)
        yield request
