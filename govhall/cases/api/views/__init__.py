"""Views of the case API: public progress, the applicant's side, the staff side."""
