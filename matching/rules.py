"""Object permissions for matching (rules package).

* matching.view_suggestions (object: a Group, Business or Department): center staff for any
  party; group editors for their group; business members for their business; officials for
  their department (the partners for their department's themes).
* matching.change_need / matching.change_offer (object: the need or offer): staff, or the
  people who act for the party that posted it.
* matching.change_business (object: a Business): staff and its members.
* matching.manage_matches (no object): staff turn suggestions into introductions and move
  matches along the pipeline.
"""

from __future__ import annotations

import rules

from core.predicates import is_center_staff
from matching.selectors import user_can_act_for


@rules.predicate
def acts_for_party(user, party) -> bool:
    return party is not None and user_can_act_for(user, party)


@rules.predicate
def acts_for_owner(user, item) -> bool:
    return item is not None and user_can_act_for(user, item.party)


rules.add_perm("matching.view_suggestions", is_center_staff | acts_for_party)
rules.add_perm("matching.change_need", is_center_staff | acts_for_owner)
rules.add_perm("matching.change_offer", is_center_staff | acts_for_owner)
rules.add_perm("matching.change_business", is_center_staff | acts_for_party)
rules.add_perm("matching.manage_matches", is_center_staff)
