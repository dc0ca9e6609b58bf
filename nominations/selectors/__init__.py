"""Reads of the nominations app (fetch and authorise together).

`applications` holds the applicant/recommender/secretariat reads, `public` the public
pages' and the notice/publication desks' reads. Import the application reads from here.
"""
from nominations.selectors.applications import (  # noqa: F401
    application_documents,
    application_for_user,
    application_history,
    applications_visible_to,
    cycle_state_counts,
    cycles_state_counts,
    cycles_with_counts,
    organization_for_user,
    organizations_for_user,
)
