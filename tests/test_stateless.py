"""Several app servers behind one address: none keeps state of its own, browsers keep static files.

Sessions and the cache live in the database, so a request may go to any server; hashed static
files carry far-future cache headers, so browsers fetch them once per version.
"""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from trips.accounts.sessions import SessionStore
from trips.models import User


@pytest.mark.django_db
def test_a_login_is_kept_in_the_database_where_every_server_finds_it(client, hr):
    client.force_login(hr)

    # A second server: a session store of its own, reading the same database.
    stored = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert int(stored["_auth_user_id"]) == hr.pk
    assert User.objects.get(pk=stored["_auth_user_id"]) == hr


@pytest.mark.django_db
def test_the_cache_is_a_database_table_every_server_shares():
    cache.set("shared", "seen by every server", 60)

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM staysite_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any(key.endswith(":shared") for key in keys)


@pytest.mark.django_db
def test_hashed_static_files_are_cached_by_browsers_for_years(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only our own files: compressing the admin's many, django-ninja's 7.9 MB of Swagger UI
    # (about a minute) and django-htmx's would make this slow and prove nothing more.
    # make collectstatic-check collects everything with production settings.
    ignored = ["admin", "ninja", "django_htmx"]
    call_command("collectstatic", "--noinput", *(f"--ignore={app}" for app in ignored), verbosity=0)

    url = staticfiles_storage.url("css/site.css")
    response = Client().get(url)  # a new client builds whitenoise with these settings

    assert re.search(r"/site\.[0-9a-f]{12}\.css$", url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
