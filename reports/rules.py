"""Who may do what with reports (object permissions through the `rules` package).

Reports hold the center's evaluation before it is published: only center staff and committee
members read them; only staff ask for them and record outcome episodes.
"""

import rules

from core.predicates import is_center_staff, is_committee_member

rules.add_perm("reports.access_reports", is_center_staff | is_committee_member)
rules.add_perm("reports.download_report", is_center_staff | is_committee_member)
rules.add_perm("reports.request_report", is_center_staff)
rules.add_perm("reports.record_outcomes", is_center_staff)
