"""E-mailing papers to members: composing, sending, the send log."""
