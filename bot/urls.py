"""Classifies link targets: web address, GitHub, relative path, and the file type they name."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit


def is_web(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_github(url: str) -> bool:
    host = (urlsplit(url.strip()).hostname or "").lower()
    return is_web(url) and host in ("github.com", "www.github.com")


def is_relative(url: str) -> bool:
    parts = urlsplit(url.strip())
    return not parts.scheme and not parts.netloc and not url.strip().startswith("//")


def extension(url: str) -> str | None:
    """The file extension the URL's path ends with (lower case), or None when it has none."""
    name = posixpath.basename(unquote(urlsplit(url.strip()).path))
    if "." not in name.strip("."):
        return None
    return name.rsplit(".", 1)[1].lower() or None


def repo_path(readme: str, relative: str) -> str | None:
    """The repository path a relative link in `readme` points to; None when it leaves the repo."""
    target = unquote(urlsplit(relative.strip()).path)
    if target.startswith("/"):
        joined = target.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(readme), target)
    normal = posixpath.normpath(joined)
    if normal.startswith("../") or normal == "..":
        return None
    return normal


def github_blob(url: str) -> tuple[str, str] | None:
    """("owner/name", "path/in/repo") for a github.com blob or tree URL, else None."""
    if not is_github(url):
        return None
    parts = [unquote(part) for part in urlsplit(url.strip()).path.split("/") if part]
    if len(parts) < 5 or parts[2] not in ("blob", "tree", "raw"):
        return None
    return f"{parts[0]}/{parts[1]}", "/".join(parts[4:])


def github_raw(url: str) -> str | None:
    """The raw.githubusercontent.com address of a github.com blob (or raw) URL, else None."""
    if not is_github(url):
        return None
    parts = [part for part in urlsplit(url.strip()).path.split("/") if part]
    if len(parts) < 5 or parts[2] not in ("blob", "raw"):
        return None
    return "https://raw.githubusercontent.com/" + "/".join([*parts[:2], *parts[3:]])
