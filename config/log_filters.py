"""Logging filters named in settings.LOGGING."""

import logging


class ClientErrorAsWarning(logging.Filter):
    """Django logs some SuspiciousOperations at ERROR although they are the client's 400s (a
    forged Host header, too many fields, an oversized body): nothing on our side is broken, so
    they are kept, at WARNING, and never page anyone who alerts on errors."""

    def filter(self, record):
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
