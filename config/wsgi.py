import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# A server must not start without a secret key. Reading an empty SECRET_KEY raises Django's
# ImproperlyConfigured here, at start-up, instead of on the first request that signs something.
settings.SECRET_KEY  # noqa: B018
