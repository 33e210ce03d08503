"""Starts the test identity provider: `python -m tests.oidc_provider.serve PEOPLE.json`.

Migrates an empty database (PROVIDER_DATABASE), registers staysite as a client and the people
in the JSON file as users, then serves HTTP on a free port of 127.0.0.1 and prints the port.
"""

import json
import os
import sys
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main(people_file: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["PROVIDER_RSA_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    people = json.loads(Path(people_file).read_text())["people"]
    # People whose provider does not vouch for their email address (urls.py).
    os.environ["PROVIDER_UNVERIFIED"] = ",".join(
        person["username"] for person in people if person.get("email_verified") is False
    )
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    setup = json.loads(Path(people_file).read_text())
    Application.objects.create(
        name="staysite",
        client_id=setup["client_id"],
        client_secret=setup["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=setup["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for person in setup["people"]:
        user = User.objects.create_user(
            person["username"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("given_name", ""),
            last_name=person.get("family_name", ""),
        )
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])

    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietHandler)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
