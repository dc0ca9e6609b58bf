import datetime as dt

import pytest
from django.utils import timezone

from nominations.models import Holiday
from nominations.services.notices import notice_ends_at

SH = timezone.get_fixed_timezone(480)


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def test_calendar_days_count_the_start_day(db):
    # 7 days from Monday 3 Sept 2018 10:00 → the last day is Sunday 9 Sept; ends at midnight.
    assert notice_ends_at(at(2018, 9, 3, 10), 7, False) == at(2018, 9, 10)


def test_working_days_skip_weekends(db):
    # 5 working days from Friday 7 Sept 2018: Fri, Mon, Tue, Wed, Thu → ends Fri 14 Sept 00:00.
    assert notice_ends_at(at(2018, 9, 7, 9), 5, True) == at(2018, 9, 14)


def test_working_days_skip_holidays_and_count_adjusted_workdays(db):
    # Mid-Autumn Festival 2018: Mon 24 Sept holiday. National Day: 1–7 Oct holidays,
    # Sat 29 Sept and Sun 30 Sept are adjusted working days (调休上班).
    Holiday.objects.create(date=dt.date(2018, 9, 24), name="中秋节")
    for day in range(1, 8):
        Holiday.objects.create(date=dt.date(2018, 10, day), name="国庆节")
    Holiday.objects.create(date=dt.date(2018, 9, 29), name="国庆调休", is_workday=True)
    Holiday.objects.create(date=dt.date(2018, 9, 30), name="国庆调休", is_workday=True)
    # From Fri 21 Sept: 21, (22 23 weekend) (24 holiday) 25, 26, 27, 28, 29*, 30*, (1-7 Oct), 8 …
    assert notice_ends_at(at(2018, 9, 21, 15), 5, True) == at(2018, 9, 29)
    assert notice_ends_at(at(2018, 9, 21, 15), 7, True) == at(2018, 10, 1)
    assert notice_ends_at(at(2018, 9, 21, 15), 8, True) == at(2018, 10, 9)


def test_starting_on_a_weekend_counts_from_next_working_day(db):
    # Saturday 8 Sept: the first working day is Monday 10 Sept.
    assert notice_ends_at(at(2018, 9, 8, 10), 1, True) == at(2018, 9, 11)
