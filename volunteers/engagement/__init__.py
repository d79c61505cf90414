"""Proof of engagement: the volunteer's certificate (Ehrenamtsnachweis) with its public check, and
the progress toward the Ehrenamtskarte NRW with the confirmation the application asks for."""
