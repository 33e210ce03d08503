"""Plain factory functions with overridable defaults."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from trips.accounts import tokens
from trips.models import (
    AddressChange,
    ApiToken,
    Notification,
    Organisation,
    Traveller,
    Trip,
    User,
    Visa,
)

_numbers = itertools.count(1)


def make_organisation(**fields) -> Organisation:
    fields.setdefault("name", f"Organisation {next(_numbers)}")
    return Organisation.objects.create(**fields)


def make_user(*, organisation: Organisation | None, role: str = User.Role.HR, **fields) -> User:
    fields.setdefault("username", f"user{next(_numbers)}")
    password = fields.pop("password", "a-long-test-password")
    user = User(organisation=organisation, role=role, **fields)
    user.set_password(password)
    user.save()
    return user


def make_traveller(*, organisation: Organisation, **fields) -> Traveller:
    number = next(_numbers)
    fields.setdefault("name", f"Traveller {number}")
    fields.setdefault("email", f"traveller{number}@example.com")
    fields.setdefault("employee_number", f"E{number:05d}")
    fields.setdefault("citizenship", "DE")
    return Traveller.objects.create(organisation=organisation, **fields)


def make_trip(
    *,
    traveller: Traveller,
    entry: date = date(2026, 3, 2),
    days: int | None = 10,
    **fields,
) -> Trip:
    """A trip of `days` days from `entry` (both days counting); days=None leaves it open."""
    fields.setdefault("country", "KZ")
    fields.setdefault("exit", None if days is None else entry + timedelta(days=days - 1))
    return Trip.objects.create(traveller=traveller, entry=entry, **fields)


def make_visa(*, traveller: Traveller, **fields) -> Visa:
    fields.setdefault("country", "KZ")
    fields.setdefault("kind", Visa.Kind.B2_MULTIPLE)
    fields.setdefault("number", f"V{next(_numbers):07d}")
    fields.setdefault("valid_from", date(2026, 1, 1))
    fields.setdefault("valid_until", date(2026, 6, 29))
    fields.setdefault("days_allowed", 90)
    return Visa.objects.create(traveller=traveller, **fields)


def make_address_change(*, trip: Trip, **fields) -> AddressChange:
    fields.setdefault("changed_on", trip.entry + timedelta(days=3))
    fields.setdefault("new_address", "Dostyk Ave 5, Almaty")
    return AddressChange.objects.create(trip=trip, **fields)


def make_notification(*, trip: Trip, **fields) -> Notification:
    fields.setdefault("address", trip.address or "Abay Ave 1, Almaty")
    fields.setdefault("filed_on", trip.entry)
    fields.setdefault("reference", f"EQ-{next(_numbers):06d}")
    return Notification.objects.create(trip=trip, **fields)


def make_api_token(
    *, created_by: User, role: str = "read_write", valid_until: date | None = None, **fields
) -> tuple[ApiToken, str]:
    """A token of `created_by`'s organisation and its key; valid for a year unless told."""
    valid_until = valid_until or tokens.default_valid_until(timezone.localdate())
    fields.setdefault("name", f"Token {next(_numbers)}")
    return tokens.create_token(created_by=created_by, role=role, valid_until=valid_until, **fields)


def make_authenticator(*, user: User, recovery_codes: list[str] = ()) -> TOTPDevice:
    """A confirmed authenticator app for `user` (two-factor login), and recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    if recovery_codes:
        static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        for code in recovery_codes:
            static.token_set.create(token=code)
    return device


def current_code(device: TOTPDevice) -> str:
    """The six digits the authenticator app shows now; if those were just used, the next
    ones (which django-otp accepts a step early, since clocks drift)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.time = totp.time + device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():06d}"
