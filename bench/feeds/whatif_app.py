"""Treffpunkt with the prototypes of whatif.py, for gunicorn: `gunicorn --chdir bench/feeds
whatif_app:app`, used by `run.py --prototypes`. `pool_pre_ping` is off (a proposal for
config.py), the cache of rendered bodies too (so that full answers are renders under load), and
/whatif/nothing and /whatif/p/<slug>.ics (a 304 from a point lookup) are mounted."""

import whatif

from volunteers import create_app
from volunteers.feeds.cache import BodyCache

app = create_app(whatif.NO_PRE_PING)
app.extensions["feed_bodies"] = BodyCache(max_age=0)  # every entry is stale at once: no cache
whatif.register(app)
