"""Mail printed to the terminal in development, short enough to read at a glance.

`make run` prints every message instead of sending it. The whole MIME text (two bodies, a style
sheet, headers) buried the one thing a newcomer wants: the link to click. This backend prints the
recipient, the subject and the links of the plain-text part; EMAIL_CONSOLE_FULL=true brings back
Django's full console output.
"""

import re

from django.core.mail.backends.console import EmailBackend as FullConsoleBackend

LINK = re.compile(r"https?://[^\s<>\"')\]]+")


def summary(message) -> str:
    """To, Subject, the links of the text part, and attachment names, one per line."""
    lines = [f"To: {', '.join(message.recipients())}", f"Subject: {message.subject}"]
    links = list(dict.fromkeys(LINK.findall(message.body or "")))
    lines += [f"  {link}" for link in links] or ["  (no links)"]
    for attachment in message.attachments:
        name = attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
        lines.append(f"Attachment: {name}")
    return "\n".join(lines)


class SummaryConsoleBackend(FullConsoleBackend):
    def write_message(self, message):
        self.stream.write(f"{'-' * 30} mail {'-' * 30}\n{summary(message)}\n\n")
