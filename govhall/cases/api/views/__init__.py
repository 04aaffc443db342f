"""Views of the case API: public progress, the applicant's side, the staff side."""

# A case that does not exist and one outside the caller's reach answer alike (404).
CASE_NOT_FOUND = "办件不存在，或不在您的办理范围内。"
