"""Gantt charts and HTML reports (self-contained: no CDN, no network at view time)."""
