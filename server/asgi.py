"""ASGI entry point for uvicorn: ``uvicorn server.asgi:app``."""

import gc

from server.app import create_app

app = create_app()
# the app's long-lived objects (routes, templates, tables) leave the collector's generations:
# fewer and shorter collections while serving
gc.freeze()
