"""Treffpunkt with its cache of rendered feed bodies switched off, so that every full feed answer
is a render: the "rendered each time" row of run.py (the app as deployed keeps recent bodies)."""

from volunteers import create_app
from volunteers.feeds.cache import BodyCache

app = create_app()
app.extensions["feed_bodies"] = BodyCache(max_age=0)  # every entry is too old at once
