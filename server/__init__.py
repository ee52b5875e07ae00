"""The Litestar service: settings, storage, HTTP, pages and CLI."""

import os

os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")
