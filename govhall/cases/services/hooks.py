"""Signals other subsystems listen to, sent inside the case's transaction.

``concluding(case, user, details)`` — an approved case is about to conclude; a
receiver may set ``case.result_number`` / ``case.result_valid_until`` and add keys to
``details`` (the conclusion's process record). Raising refuses the conclusion, so
the licences app can issue in the same transaction (同步签发).

``decided(case, user, at_once)`` — a case was just approved (准予, by staff or 秒批);
``at_once`` when the hall concludes it in the same breath (即办件, 秒批). A receiver may
move it on (the payments app: 核定收费 → 待缴费), so callers conclude only a case still
``decided`` afterwards.

``submitted(application, cases, licences)`` — cases were just opened from an
application; ``licences`` (a tuple of ``facts.LicenceStandIn``) are the e-licences that
stand for its materials, so a receiver can log their use for each case that needs them.
"""

from django.dispatch import Signal

concluding = Signal()
decided = Signal()
submitted = Signal()
