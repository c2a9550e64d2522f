"""Object permissions for matching (rules package).

* matching.view_suggestions (object: a Group, Business or Department): center staff for any
  party; group editors for their group; business members for their business; officials for
  their department (the partners for their department's themes).
* matching.change_need / matching.change_offer (object: the need or offer): staff, or the
  people who act for the party that posted it.
* matching.change_business (object: a Business): staff and its members.
* matching.view_need / matching.view_offer / matching.view_business: anyone while it is open
  (approved) and its party takes part; otherwise only those who may change it.
* matching.manage_matches (no object): staff turn suggestions into introductions and move
  matches along the pipeline.
* matching.post_for_any_party (no object): staff post needs and offers for any party that asked
  them to (代理で登録), and the record says so.
"""

from __future__ import annotations

import rules

from core.predicates import is_center_staff
from matching.models import BusinessStatus
from matching.selectors import party_is_eligible, user_can_act_for


@rules.predicate
def acts_for_party(user, party) -> bool:
    return party is not None and user_can_act_for(user, party)


@rules.predicate
def acts_for_owner(user, item) -> bool:
    return item is not None and user_can_act_for(user, item.party)


@rules.predicate
def is_listed_item(user, item) -> bool:
    """Open, and its party takes part (closed items and those of parties that are not, or no
    longer, taking part are for their own people)."""
    return item is not None and item.is_open and party_is_eligible(item.party)


@rules.predicate
def is_approved_business(user, business) -> bool:
    return business is not None and business.status == BusinessStatus.APPROVED


rules.add_perm("matching.view_suggestions", is_center_staff | acts_for_party)
rules.add_perm("matching.change_need", is_center_staff | acts_for_owner)
rules.add_perm("matching.change_offer", is_center_staff | acts_for_owner)
rules.add_perm("matching.change_business", is_center_staff | acts_for_party)
rules.add_perm("matching.view_need", is_listed_item | is_center_staff | acts_for_owner)
rules.add_perm("matching.view_offer", is_listed_item | is_center_staff | acts_for_owner)
rules.add_perm("matching.view_business", is_approved_business | is_center_staff | acts_for_party)
rules.add_perm("matching.manage_matches", is_center_staff)
rules.add_perm("matching.post_for_any_party", is_center_staff)
# The change history of a business, a need or an offer (core.history): center staff.
rules.add_perm("matching.view_history", is_center_staff)
