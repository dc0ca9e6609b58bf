"""The one extension point between nominations and the apps that build on it.

nominations never imports judging. judging knows facts nominations cannot (judges who
accepted, sheets submitted, the site report, the committee decision recorded) and lets
nominations ask for them, typed, registered once in its ``AppConfig.ready``:

- a **guard** for an application transition: ``guard(*, application, actor, now) -> list[str]``,
  the list of what is still missing (empty: nothing blocks). Guards only read.
- an **access check**: ``check(user, application_pk) -> bool``, whether a user who is
  neither applicant, recommender nor secretariat may open an application (an assigned,
  conflict-free judge).
- a **progress note** for the process stepper: ``note(*, application, user) -> str | None``,
  what the current judging step waits for, as this user may see it. Notes only read.
- **rubric names**: ``names(codes) -> {code: name}``, so that pages show 卓越绩效评价准则
  rather than a category's rubric code (GBT19580-2012). Reads only.

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


# -- what a judging stage waits for (the process stepper) -----------------------------------------
class StageProgress(Protocol):
    def __call__(self, *, application: Application, user) -> str | None: ...


_progress: tuple[StageProgress, ...] = ()


def register_progress(note: StageProgress) -> None:
    """A reader of facts nominations cannot know, for the stepper: what the application's
    current judging step waits for, as this user may see it ("5 位专家中 3 位已提交"), or None."""
    global _progress
    if note not in _progress:
        _progress = (*_progress, note)


def unregister_progress(note: StageProgress) -> None:
    global _progress
    _progress = tuple(n for n in _progress if n is not note)


def progress_note(*, application: Application, user) -> str | None:
    for note in _progress:
        text = note(application=application, user=user)
        if text:
            return text
    return None


# -- human names of rubric codes (categories store the code; judging owns the rubrics) --------------
class RubricNames(Protocol):
    def __call__(self, codes: set[str]) -> dict[str, str]: ...


_rubric_names: tuple[RubricNames, ...] = ()


def register_rubric_names(reader: RubricNames) -> None:
    global _rubric_names
    if reader not in _rubric_names:
        _rubric_names = (*_rubric_names, reader)


def rubric_names(codes) -> dict[str, str]:
    """{code: human name} for the codes any registered reader knows; unknown codes are left out."""
    codes = {c for c in codes if c}
    names: dict[str, str] = {}
    for reader in _rubric_names:
        names.update(reader(codes - set(names)))
    return names
