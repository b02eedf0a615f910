"""Readers and writers of standard instance formats; see ``registry`` for detection."""
