"""Treffpunkt with the proposed feed fixes (see whatif.py) applied in this process, for gunicorn:
`gunicorn --chdir bench/feeds whatif_app:app`, used by `run.py --prototypes`. The prototype
feeds are at /whatif/u/<token>.ics and /whatif/p/<slug>.ics; /calendar/… keeps the app's own
304 path but renders with fixes 1 and 3."""
import whatif
from volunteers import create_app

app = create_app()
whatif.register(app)
whatif.apply_render_fixes()
