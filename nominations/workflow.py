"""Extension points of the application workflow.

nominations never imports judging. Apps that complete a step (judging: judges
assigned, sheets submitted, committee vote) register here at start-up:

- a *guard* returns the list of what is missing for a transition (empty = ok);
- an *apply* hook runs inside the transition's transaction, after the save
  (e.g. record the committee decision);
- an *after_commit* hook runs after commit (e-mail, rendering);
- a *warning* runs after success and returns messages that inform without blocking.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

Guard = Callable[..., list[str]]
Hook = Callable[..., None]

_guards: dict[str, list[Guard]] = defaultdict(list)
_apply: dict[str, list[Hook]] = defaultdict(list)
_after_commit: dict[str, list[Hook]] = defaultdict(list)
_warnings: dict[str, list[Guard]] = defaultdict(list)


def register_guard(transition: str, func: Guard) -> Guard:
    if func not in _guards[transition]:
        _guards[transition].append(func)
    return func


def register_apply(transition: str, func: Hook) -> Hook:
    if func not in _apply[transition]:
        _apply[transition].append(func)
    return func


def register_after_commit(transition: str, func: Hook) -> Hook:
    if func not in _after_commit[transition]:
        _after_commit[transition].append(func)
    return func


def guards_for(transition: str) -> list[Guard]:
    return list(_guards.get(transition, ()))


def apply_hooks_for(transition: str) -> list[Hook]:
    return list(_apply.get(transition, ()))


def after_commit_hooks_for(transition: str) -> list[Hook]:
    return list(_after_commit.get(transition, ()))


def register_warning(transition: str, func: Guard) -> Guard:
    """A check run after a successful transition; its messages are shown to the actor
    (e.g. approvals beyond the category's quota) but do not block anything."""
    if func not in _warnings[transition]:
        _warnings[transition].append(func)
    return func


def warnings_after(transition: str, *, application) -> list[str]:
    return [msg for func in _warnings.get(transition, ()) for msg in func(application=application)]
