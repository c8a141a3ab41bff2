"""The registrants as CSV for staff, safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab / carriage return, which some spreadsheets skip before
reading a formula) would be run as a formula by Excel, LibreOffice or Google Sheets: such a
value is prefixed with an apostrophe, which spreadsheets show as text (OWASP "CSV injection").
"""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "name",
    "email",
    "status",
    "organization",
    "accessibility needs",
    "dietary needs",
    "payment",
    "scholarship",
    "walk-in",
    "registered by",
    "registered at",
    "checked in at",
]


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _row(registration) -> list[str]:
    return [
        registration.user.display_name,
        registration.user.email,
        registration.get_status_display(),
        registration.organization,
        registration.accessibility_needs,
        registration.dietary_needs,
        registration.get_payment_display(),
        registration.get_scholarship_display(),
        "yes" if registration.walk_in else "",
        registration.registered_by.email if registration.registered_by_id else "",
        registration.created_at.isoformat(timespec="minutes"),
        registration.checked_in_at.isoformat(timespec="minutes")
        if registration.checked_in_at
        else "",
    ]


def registrants_csv(registrations) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for registration in registrations.select_related("registered_by"):
        writer.writerow([safe_cell(value) for value in _row(registration)])
    return out.getvalue()
