"""What a watching browser receives of a run: each recorded step encoded once per run (chunks.py), and the
part of it one viewer still lacks (cursor.py)."""
