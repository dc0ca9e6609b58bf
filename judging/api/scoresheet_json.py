"""The scoresheet as the API answers it, built directly.

``ScoresheetSerializer(sheet).data`` walks ten DRF fields for each of the sheet's items and
the bands; the autosave answers with the whole sheet after every pause in typing, and that
walk was about a fifth of its time in Python. :func:`scoresheet_data` returns the same
document (same keys in the same order, same strings for the decimals; tests compare the
two), so the contract of API.md (PUT scoresheet → 200 with the scoresheet) is unchanged and
ScoresheetSerializer stays the schema.
"""
from __future__ import annotations

from functools import lru_cache

from rest_framework import serializers

from judging.data.bands import band_for
from judging.selectors.scoresheets import ALL_BANDS, item_points, q2

from judging.api.serializers import DECIMAL

_DECIMAL = serializers.DecimalField(**DECIMAL)


@lru_cache(maxsize=4096)
def _decimal(value) -> str | None:
    """The API's string for a decimal (DRF's DecimalField): a sheet shows the same few values
    (each item's maximum, its points at 0, 5, …, 100 %) over and over."""
    return None if value is None else _DECIMAL.to_representation(value)


def _text(value) -> str | None:
    return None if value is None else str(value)


@lru_cache(maxsize=4096)
def _scored(max_points, percent: int | None) -> tuple[str | None, str | None]:
    """(points, band label) of an item: they follow from its maximum and percent alone."""
    band = band_for(percent)
    return _decimal(q2(item_points(max_points, percent))), (band.label if band else None)


def _bands_data(bands: dict) -> dict:
    if bands is ALL_BANDS:  # every sheet's: built once
        return _all_bands_data()
    return {str(kind): [{"low": int(band["low"]), "high": int(band["high"]),
                         "label": _text(band["label"]), "text": _text(band["text"])}
                        for band in rows]
            for kind, rows in bands.items()}


@lru_cache(maxsize=1)
def _all_bands_data() -> dict:
    return _bands_data(dict(ALL_BANDS))


def scoresheet_data(sheet) -> dict:
    """``ScoresheetSerializer(sheet).data`` of a :class:`judging.selectors.scoresheets.Scoresheet`.
    The answer's dicts are new on each call; the strings and the bands document are shared."""
    items = []
    for item in sheet.items:
        percent = item.percent
        points, band = _scored(item.max_points, percent)
        items.append({
            "criterion": _text(item.criterion),
            "title": _text(item.title),
            "parent": _text(item.parent),
            "kind": _text(item.kind),
            "max_points": _decimal(item.max_points),
            "percent": None if percent is None else int(percent),
            "points": points,
            "band": band,
            "strengths": _text(item.strengths),
            "opportunities": _text(item.opportunities),
        })
    missing = sheet.missing
    return {
        "assignment": int(sheet.assignment.pk),
        "state": _text(sheet.assignment.state),
        "editable": bool(sheet.editable),
        "items": items,
        "total": _decimal(sheet.total),
        "max_total": _decimal(sheet.max_total),
        "complete": not missing,
        "missing": [str(code) for code in missing],
        "bands": _fresh_bands() if sheet.bands is ALL_BANDS else _bands_data(sheet.bands),
    }


def _fresh_bands() -> dict:
    """A copy of the shared bands document (the answer may be changed by its caller)."""
    return {kind: [dict(row) for row in rows] for kind, rows in _all_bands_data().items()}
