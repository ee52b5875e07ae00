"""The peer of the load benchmark: a bare Litestar app with one JSON endpoint.

``POST /bare/{token}/answers/{item_id}`` decodes a small JSON body (the shape of an SJT
answer) into a msgspec Struct and returns JSON, with no database behind it: the most any
Litestar endpoint could do on the same machine, served the same way (uvicorn, same worker
count). ``GET /health`` only tells the benchmark that the process is up.

Run: ``.venv/bin/python -m uvicorn bench.bare_app:app --port 8001`` (from the project root).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, get, post
from litestar.params import FromPath, JSONBody


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    most: str | None = None
    least: str | None = None


@post("/bare/{token:str}/answers/{item_id:int}", status_code=200)
async def save(token: FromPath[str], item_id: FromPath[int], data: JSONBody[AnswerIn]) -> Any:
    return {"item_id": item_id, "answer": {"most": data.most, "least": data.least}, "ok": True}


@get("/health", cache=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[save, health], openapi_config=None)
