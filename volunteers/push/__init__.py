"""Web push for the PWA: browsers subscribe, services queue notifications in an outbox, and the
reminder worker (`flask reminders run`) delivers them with VAPID-signed, encrypted pushes."""
