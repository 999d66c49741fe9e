"""Check where the command line will write, before it spends minutes training."""
import os


def output_path_problem(path: str) -> str | None:
    """Why `path` cannot be written, or None when it can ('-' is standard output)."""
    if path == "-":
        return None
    if os.path.isdir(path):
        return "is a directory; a file path (or - for standard output) is allowed"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"is in a folder that does not exist ({folder}); a file in an existing folder is allowed"
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return "exists and cannot be overwritten; a writable file is allowed"
    if not os.access(folder, os.W_OK):
        return f"is in a folder this user cannot write ({folder}); a file in a writable folder is allowed"
    return None
