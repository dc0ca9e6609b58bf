"""Which service runs an act named by a generic entry point.

The transitions API, the application page's buttons, the admin and the `transition`
command all name acts by their transition name. This module maps each name to the one
service that owns it, so that every entry point has exactly the same effects. The committee
decision (approve / decline) is judging's act: judging's entry points call
judging.services.committee directly; here it is refused with a pointer to them.
"""
from __future__ import annotations

import datetime as dt

from nominations.enums import Transition as T
from nominations.models import Application, Cycle
from nominations.services import notices, publication
from nominations.services.notices import NoticeInput
from nominations.services.transitions import application_transition, cycle_transition, transition_check


def application_act(*, application: Application | int, name: str, actor, note: str = "", ip: str | None = None,
                    deadline: dt.datetime | None = None, override_reason: str = "",
                    announcement: str | None = None, notice: NoticeInput | None = None) -> Application:
    """Run the act `name` on an application through the service that owns it."""
    if not isinstance(application, Application):
        application = Application.objects.select_related("cycle").get(pk=application)
    if name == T.OPEN_NOTICE:
        transition_check(application, name, actor)  # this application may go on notice now
        notices.notice_open(cycle=application.cycle_id, actor=actor, data=notice or NoticeInput("", ""), ip=ip)
    elif name == T.CONFIRM:
        publication.application_confirm(application=application, actor=actor, note=note, ip=ip)
    elif name == T.OVERTURN:
        publication.application_overturn(application=application, actor=actor, note=note, ip=ip)
    elif name == T.PUBLISH:
        publication.application_publish(application=application, actor=actor, announcement=announcement,
                                        note=note, ip=ip)
    elif name == T.REVOKE:
        publication.application_revoke(application=application, actor=actor, reason=note, ip=ip)
    else:  # the simple transitions; approve/decline are refused there with a pointer to the decision page
        application_transition(application=application, name=name, actor=actor, note=note, ip=ip,
                               deadline=deadline, override_reason=override_reason)
    return Application.objects.select_related(
        "cycle__programme", "category", "organization", "nominee", "recommending_unit").get(pk=application.pk)


def cycle_act(*, cycle: Cycle, name: str, actor, note: str = "", ip: str | None = None,
              announcement: str | None = None, notice: NoticeInput | None = None) -> Cycle:
    """Run the cycle act `name` through the service that owns it."""
    if name == "start_notice":
        notices.notice_open(cycle=cycle, actor=actor, data=notice or NoticeInput("", ""), ip=ip)
    elif name == "publish":
        publication.cycle_publish(cycle=cycle, actor=actor, announcement=announcement or "", note=note, ip=ip)
    else:
        cycle_transition(cycle=cycle, name=name, actor=actor, note=note, ip=ip)
    return Cycle.objects.select_related("programme").get(pk=cycle.pk)
