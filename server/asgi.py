"""ASGI entry point for uvicorn: ``uvicorn server.asgi:app``."""

import gc

from server.app import create_app

app = create_app()
# the app's long-lived objects (routes, templates, tables) leave the collector's generations:
# fewer and shorter collections while serving
gc.freeze()
# a young-generation collection walks every object of the requests in flight; at the default
# (one per 700 new objects) that was 6 % of an answer save's instructions (callgrind, 64
# saves at once). Cyclic garbage now waits for 50,000 new objects (a few MB at most).
gc.set_threshold(50_000, 10, 10)
