"""Session engine: Django's database store, with the signed-in user's id kept on the row, and
the row read with SQL compiled once per process (config.onequery.Compiled): compiling the ORM
query on every request cost more than running it.

The row comes with its user (and whether they are a volunteer, for the header), so that signing
in a request is one query, not two: while Django's auth.get_user() runs, the user it asks for
by primary key is this one (accounts.middleware.AuthenticationMiddleware, UserManager.get).
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db import router
from django.db.models import Exists, OuterRef
from django.utils import timezone

from config import onequery


def _by_key(session_key):
    from accounts.models import Session, User

    donors = User._meta.get_field("donor").related_model.objects  # accounts imports no app's
    return (
        Session.objects.filter(session_key=session_key)
        .select_related("user")
        .annotate(_user_has_donor=Exists(donors.filter(user=OuterRef("user_id"))))
    )


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
                    if session.user is not None:
                        session.user._has_donor = session._user_has_donor  # User.is_volunteer
                    self._loaded_user = session.user
                    return session
        self._session_key = None
        return None

    def user_loaded_with_row(self, pk):
        """The user this session's row came with, if it is the one with this primary key."""
        user = getattr(self, "_loaded_user", None)
        return user if user is not None and user.pk == pk else None

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance
