"""Print, as JSON, what the real settings send: headers, redirects, cookies of a real sign-in.

Run by tests/config/test_security.py in a subprocess, as `python -m tests.config.security_probe`
with DJANGO_SETTINGS_MODULE=config.settings, the environment under test, and a migrated database,
so the answers come from config/settings.py itself and not from test overrides.
"""

import json

import django

EMAIL = "probe@example.org"
PASSWORD = "a long probe password 7"


def described(response):
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {
            name: {
                "set": bool(morsel.value),  # False for a deletion (expired, empty) cookie
                "secure": bool(morsel["secure"]),
                "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"],
            }
            for name, morsel in response.cookies.items()
        },
    }


def main():
    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    host = settings.ALLOWED_HOSTS[0]
    user, _ = User.objects.get_or_create(email=EMAIL)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.get_or_create(user=user, email=EMAIL, primary=True, verified=True)

    browser = Client(HTTP_HOST=host)
    report = {
        "debug": settings.DEBUG,
        "home_https": described(browser.get("/", secure=True)),
        "home_http": described(browser.get("/")),
        "home_forwarded_https": described(browser.get("/", headers={"X-Forwarded-Proto": "https"})),
        "login_page": described(browser.get("/accounts/login/", secure=True)),
        "login": described(
            browser.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD}, secure=True)
        ),
        "dashboard": described(browser.get("/me/", secure=True)),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
