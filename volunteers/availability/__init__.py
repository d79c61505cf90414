"""Availability: when volunteers can usually help, absences, who could cover a shift, and personal
invitations. `is_absent(user_id, day)` is asked by other domains (handovers)."""

from .services import is_absent

__all__ = ["is_absent"]
