"""Signals that cross subsystem boundaries, defined in the shared kernel.

They let a lower or sibling app report an event that another app records, without either
importing the other (the same pattern as ``cases.services.hooks``). Receivers connect in
their ``AppConfig.ready()``.
"""

from django.dispatch import Signal

# Somebody read a person's (or a company's) personal data. Sent where the read happens —
# the case access layer, data sharing, OpenID Connect claims, exports, counter look-ups —
# and recorded for the data subject's "谁用了我的数据".
# Keyword arguments:
#   subject_user_id: int | None   the account whose data was read (None if unknown)
#   subject_id_number: str        the person's ID number or the company's credit code,
#                                 when no account is known ("" otherwise; never logged)
#   reader_user_id: int | None    the staff member or person who read it
#   reader_department_id: int | None
#   reader_client: str            an OAuth2/exchange client id ("" when a person read it)
#   purpose: str                  why (办件受理、共享调用…), in Chinese
#   case_number: str              the case the read served ("" outside a case)
#   fields: list[str]             the data items returned (e.g. ["婚姻状况"])
#   source: str                   "case" | "material" | "sharing" | "oidc" | "export" | "counter"
personal_data_read = Signal()

# A person disputes a read of their data; the supervision subsystem turns it into a
# complaint. Keyword arguments: user_id, read_id (the data-use record), reason.
data_read_disputed = Signal()
