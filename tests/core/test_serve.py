"""Getting a serving process ready: gunicorn.conf.py's hook compiles every template, loads each
language and freezes what it made for the garbage collector."""

import gc
import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorns_hook_compiles_every_template_and_freezes_them(app):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    app.jinja_env.cache.clear()
    templates = app.jinja_env.list_templates()
    try:
        config.post_worker_init(SimpleNamespace(wsgi=app))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process goes on making and dropping apps
    compiled = {name for (_loader, name) in app.jinja_env.cache}
    assert len(templates) > 40 and compiled == set(templates)
