"""Tells a file from a web page standing in for it: Drive's virus-scan warning, sign-in pages."""

from __future__ import annotations

import httpx

from bot.net.types import Verdict

# Google Drive answers a large file's download link with a page asking to confirm the download.
_DRIVE_WARNING = (
    "virus scan warning",
    "can't scan this file for viruses",
    "cannot scan this file for viruses",
    "uc-download-link",
    "download_warning",
)
_SIGN_IN = (
    "accounts.google.com/servicelogin",
    "accounts.google.com/v3/signin",
    "login.microsoftonline.com",
    'type="password"',
    "type='password'",
    "sign in to continue",
    "you need access",
    "request access",
)


def looks_like_html(response: httpx.Response, first: bytes) -> bool:
    """Whether the answer is a web page: by its Content-Type, or by its first bytes."""
    if "html" in response.headers.get("content-type", "").lower():
        return True
    start = first[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))


def classify_html(page: bytes) -> tuple[Verdict, str]:
    """The verdict for an HTML page found where a file was expected. Tokens are never scraped."""
    text = page.decode("utf-8", "replace").lower()
    if any(marker in text for marker in _DRIVE_WARNING):
        return (
            "unverifiable",
            "Google Drive shows its virus-scan warning page instead of the file, so the file "
            "cannot be verified on this host",
        )
    if any(marker in text for marker in _SIGN_IN):
        return "not_public", "the link leads to a sign-in page, so the file is not public"
    return "unverifiable", "the link leads to a web page, not to the file itself"
