import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models, router
from django.db.models.functions import Lower
from django.utils import timezone

TIME_ZONE_CHOICES = sorted((tz, tz.replace("_", " ")) for tz in zoneinfo.available_timezones())


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get(self, *args, **kwargs):
        """QuerySet.get(); by primary key alone, as every request loads its signed-in user
        (ModelBackend.get_user), with SQL compiled once per process: compiling the query
        cost more than running it; while a request is signed in, the user its session's row
        came with (accounts.middleware). Same answers, same exceptions."""
        if args or list(kwargs) != ["pk"]:
            return super().get(*args, **kwargs)
        from accounts.middleware import signing_in_from
        from accounts.queries import user_by_pk

        pk = self.model._meta.pk.get_prep_value(kwargs["pk"])
        # Signing a request in: its session's row came with the user (our session engine; any
        # other engine has no such row).
        loaded_with_row = getattr(signing_in_from.get(), "user_loaded_with_row", None)
        user = loaded_with_row(pk) if loaded_with_row else None
        if user is None:
            user = user_by_pk(pk, using=self._db or router.db_for_read(self.model))
        if user is None:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        return user

    @classmethod
    def normalize_email(cls, email):
        """The outbox's one normalisation, so an account and its mail share one address."""
        from notifications.services import normalize_address

        return normalize_address(email)

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: email is the login. Roles are derived (donor profile, membership, is_staff)."""

    email = models.EmailField("email address", max_length=254, unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    is_staff = models.BooleanField(default=False, help_text="Can log into the admin site (staff).")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]

    @property
    def is_volunteer(self) -> bool:
        # The profile, when this request read it; else what came with the user (loaded by
        # primary key on every request: accounts.queries.user_by_pk); else a query.
        if not self._meta.get_field("donor").is_cached(self) and hasattr(self, "_has_donor"):
            return self._has_donor
        return hasattr(self, "donor")


class Session(AbstractBaseSession):
    """Database sessions that know their user, so sign-out-everywhere and erasure are cheap."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE)

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
