"""Session engine: Django's database store, with the signed-in user's id kept on the row, and
the row read with SQL compiled once per process (config.onequery.Compiled): compiling the ORM
query on every request cost more than running it."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db import router
from django.utils import timezone

from config import onequery


def _by_key(session_key):
    from accounts.models import Session

    return Session.objects.filter(session_key=session_key)


_BY_KEY = onequery.Compiled(_by_key)


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def _get_session_from_db(self):
        # As Django's: the unexpired row with this key, or None (and the key forgotten). The
        # expiry is compared here, not in SQL, so the one value in the query is the key.
        if self.session_key is not None:
            using = router.db_for_read(self.model)
            rows = _BY_KEY.rows(self.session_key, using=using)
            for session in _BY_KEY.instances(rows, using=using):
                if session.expire_date > timezone.now():
                    return session
        self._session_key = None
        return None

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance
