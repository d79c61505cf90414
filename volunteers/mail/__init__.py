"""Outgoing mail: services queue mails in an outbox in their own transaction (so a rolled-back
change mails nothing and no request waits for a mail server); the reminder worker sends them."""
