"""The one extension point between nominations and the apps that build on it.

nominations never imports judging. judging knows facts nominations cannot (judges who
accepted, sheets submitted, the site report, the committee decision recorded) and lets
nominations ask for them, typed, registered once in its ``AppConfig.ready``:

- a **guard** for an application transition: ``guard(*, application, actor, now) -> list[str]``,
  the list of what is still missing (empty: nothing blocks). Guards only read.
- an **access check**: ``check(user, application_pk) -> bool``, whether a user who is
  neither applicant, recommender nor secretariat may open an application (an assigned,
  conflict-free judge).

Effects are never registered: every business act is a named service that writes all of its
rows itself (see nominations.services.acts and judging.services.committee).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from nominations.models import Application


class Guard(Protocol):
    def __call__(self, *, application: Application, actor, now: dt.datetime) -> list[str]: ...


class AccessCheck(Protocol):
    def __call__(self, user, application_pk: int) -> bool: ...


_guards: dict[str, tuple[Guard, ...]] = {}
_access: tuple[AccessCheck, ...] = ()


def register_guard(transition: str, guard: Guard) -> None:
    if guard not in _guards.get(transition, ()):
        _guards[transition] = (*_guards.get(transition, ()), guard)


def unregister_guard(transition: str, guard: Guard) -> None:
    _guards[transition] = tuple(g for g in _guards.get(transition, ()) if g is not guard)


def guards_for(transition: str) -> tuple[Guard, ...]:
    return _guards.get(transition, ())


def register_access(check: AccessCheck) -> None:
    global _access
    if check not in _access:
        _access = (*_access, check)


def unregister_access(check: AccessCheck) -> None:
    global _access
    _access = tuple(c for c in _access if c is not check)


def may_access(user, application_pk: int) -> bool:
    return any(check(user, application_pk) for check in _access)
