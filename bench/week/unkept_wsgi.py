"""Treffpunkt with its kept week-plan grids switched off, so that every week plan is rendered anew:
the "grid not kept" rows of run.py, side by side with the app as deployed."""

from volunteers import create_app

app = create_app({"WEEK_PLAN_KEPT": False})
