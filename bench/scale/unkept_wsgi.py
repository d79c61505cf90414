"""Treffpunkt with its kept report figures switched off, so that every report view computes its
figures: the "figures not kept" rows of run.py, side by side with the app as deployed."""

from volunteers import create_app

app = create_app({"REPORT_FIGURES_KEPT": False})
