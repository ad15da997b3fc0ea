"""The only writer to GitHub: sticky comment, inline review, status, reactions, runner files."""
