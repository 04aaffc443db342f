"""Printable case documents (申请回执, 受理通知书, 一次性告知书, 不予受理通知书, 收件回执,
决定书) as PDF, each with the hall's seal area and a QR code to the public progress query."""
