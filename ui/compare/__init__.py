"""The Compare page's parts: its runs in this session, and the panels drawn from one snapshot of them all."""
