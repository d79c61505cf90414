"""Availability: when volunteers can usually help, absences, who could cover a shift, and personal
invitations. `is_absent` and `shift_days` are asked by other domains (handovers)."""

from .services import is_absent, shift_days

__all__ = ["is_absent", "shift_days"]
