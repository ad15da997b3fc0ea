"""Fault injection for the fake GitHub: gateway errors, rate limits, delays and mid-run changes."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.fakegithub.state import Pull, World

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
SECONDARY_DOC = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
PRIMARY_MESSAGE = "API rate limit exceeded for installation ID 11111111."
PRIMARY_DOC = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
    "#about-the-primary-rate-limit"
)
# What a request that dies at GitHub's edge gets back: HTML, not JSON.
GATEWAY_HTML = """<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-type" content="text/html; charset=utf-8">
    <title>Unicorn! &middot; GitHub</title>
  </head>
  <body>
    <div class="container">
      <p><strong>We couldn't respond to your request in time.</strong></p>
      <p>Sorry about that. Please try refreshing and contact us if the problem persists.</p>
    </div>
  </body>
</html>
"""


@dataclass
class RouteFault:
    """A fault on requests whose path (without /api/v3 and query) matches a glob."""

    # "fail_after_success", "server_error", "secondary_rate_limit", "primary_rate_limit", "delay"
    kind: str
    route: str
    method: str | None
    remaining: int | None  # None: forever
    status: int = 502
    retry_after: int | None = None
    seconds: float = 0.0
    reset_in: int = 1
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to `method path` and has uses left."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return fnmatch.fnmatchcase(path, self.route)

    def use(self) -> None:
        """Count one use."""
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1


@dataclass
class Trigger:
    """A change to the world made once: after N more requests, or just before the first write."""

    label: str
    action: Callable[[World], None]
    after_requests: int | None
    on_first_write: bool
    seen: int = 0
    fired: bool = False


@dataclass
class Faults:
    """The faults armed on a FakeGitHub (`server.faults`)."""

    routes: list[RouteFault] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _add(self, fault: RouteFault) -> RouteFault:
        with self.lock:
            self.routes.append(fault)
        return fault

    def fail_after_success(
        self, route: str, *, method: str = "POST", times: int = 1, status: int = 502
    ) -> RouteFault:
        """The next `times` matching requests are performed, then answered with an HTML 502."""
        return self._add(RouteFault("fail_after_success", route, method, times, status=status))

    def server_error(
        self, route: str, *, method: str | None = None, times: int | None = 1, status: int = 500
    ) -> RouteFault:
        """The next `times` matching requests (None: all) are not performed and get an HTML
        5xx, as when GitHub's backend fails."""
        return self._add(RouteFault("server_error", route, method, times, status=status))

    def secondary_rate_limit(
        self,
        route: str = "*",
        *,
        times: int = 1,
        method: str | None = None,
        retry_after: int | None = 1,
        status: int = 403,
    ) -> RouteFault:
        """The next `times` matching requests get GitHub's secondary rate limit answer (not
        performed), with `Retry-After: retry_after` unless it is None."""
        fault = RouteFault(
            "secondary_rate_limit", route, method, times, status=status, retry_after=retry_after
        )
        return self._add(fault)

    def primary_rate_limit(
        self, route: str = "*", *, times: int = 1, method: str | None = None, reset_in: int = 1
    ) -> RouteFault:
        """The next `times` matching requests get 403 "API rate limit exceeded", remaining 0,
        and a reset `reset_in` seconds away."""
        fault = RouteFault("primary_rate_limit", route, method, times, status=403)
        fault.reset_in = reset_in
        return self._add(fault)

    def delay(
        self, route: str, seconds: float, *, method: str | None = None, times: int | None = None
    ) -> RouteFault:
        """Matching requests are answered `seconds` late (`times` of them, or all)."""
        fault = RouteFault("delay", route, method, times, seconds=seconds)
        return self._add(fault)

    def on_request(
        self,
        action: Callable[[World], None],
        *,
        after_requests: int | None = None,
        on_first_write: bool = False,
        label: str = "custom",
    ) -> Trigger:
        """Run `action(world)` once: after `after_requests` more requests have been answered, or
        just before the first write (non-GET) is performed."""
        assert (after_requests is not None) != on_first_write, "choose exactly one trigger"
        trigger = Trigger(label, action, after_requests, on_first_write)
        with self.lock:
            self.triggers.append(trigger)
        return trigger

    def move_head(
        self,
        pull: Pull,
        new_sha: str,
        *,
        after_requests: int | None = None,
        on_first_write: bool = False,
    ) -> Trigger:
        """A push lands mid-run: the pull's head becomes `new_sha`."""

        def push(world: World) -> None:
            world.move_head(pull, new_sha)

        return self.on_request(
            push, after_requests=after_requests, on_first_write=on_first_write, label="move_head"
        )

    def edit_body(
        self,
        pull: Pull,
        body: str,
        *,
        after_requests: int | None = None,
        on_first_write: bool = False,
    ) -> Trigger:
        """The author edits the description mid-run."""

        def edit(world: World) -> None:
            world.edit_pull(pull, body=body)

        return self.on_request(
            edit, after_requests=after_requests, on_first_write=on_first_write, label="edit_body"
        )

    def retarget(self, pull: Pull, base_ref: str, *, after_requests: int) -> Trigger:
        """The author moves the PR onto another base branch mid-run."""

        def move(world: World) -> None:
            world.retarget(pull, base_ref)

        return self.on_request(move, after_requests=after_requests, label="retarget")

    def clear(self) -> None:
        """Disarm everything."""
        with self.lock:
            self.routes.clear()
            self.triggers.clear()

    def take(self, kind: str, method: str, path: str) -> RouteFault | None:
        """The first armed fault of `kind` matching the request, counted as used."""
        with self.lock:
            for fault in self.routes:
                if fault.kind == kind and fault.matches(method, path):
                    fault.use()
                    return fault
        return None

    def before_write(self, world: World) -> list[str]:
        """Fire the on-first-write triggers; returns their labels."""
        fired: list[str] = []
        with self.lock:
            due = [t for t in self.triggers if t.on_first_write and not t.fired]
            for trigger in due:
                trigger.fired = True
        for trigger in due:
            with world.lock:
                trigger.action(world)
            fired.append(trigger.label)
        return fired

    def after_request(self, world: World) -> list[str]:
        """Count one answered request; fire the triggers that are due; returns their labels."""
        due: list[Trigger] = []
        with self.lock:
            for trigger in self.triggers:
                if trigger.fired or trigger.after_requests is None:
                    continue
                trigger.seen += 1
                if trigger.seen >= trigger.after_requests:
                    trigger.fired = True
                    due.append(trigger)
        for trigger in due:
            with world.lock:
                trigger.action(world)
        return [t.label for t in due]
