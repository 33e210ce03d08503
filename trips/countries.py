"""Country names for trips, visas and citizenship (ISO 3166-1 alpha-2).

Which countries form the Schengen area is law and lives in `rules`; this is only the list a
person picks from.
"""

from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("KZ", _("Kazakhstan")),
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("HR", _("Croatia")),
    ("CZ", _("Czechia")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("GR", _("Greece")),
    ("HU", _("Hungary")),
    ("IS", _("Iceland")),
    ("IT", _("Italy")),
    ("LV", _("Latvia")),
    ("LI", _("Liechtenstein")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SK", _("Slovakia")),
    ("SI", _("Slovenia")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
    ("CH", _("Switzerland")),
    ("CY", _("Cyprus")),
    ("IE", _("Ireland")),
    ("GB", _("United Kingdom")),
    ("AM", _("Armenia")),
    ("AZ", _("Azerbaijan")),
    ("BY", _("Belarus")),
    ("CN", _("China")),
    ("GE", _("Georgia")),
    ("IN", _("India")),
    ("KG", _("Kyrgyzstan")),
    ("MN", _("Mongolia")),
    ("RU", _("Russia")),
    ("TJ", _("Tajikistan")),
    ("TM", _("Turkmenistan")),
    ("TR", _("Turkey")),
    ("AE", _("United Arab Emirates")),
    ("UA", _("Ukraine")),
    ("US", _("United States")),
    ("UZ", _("Uzbekistan")),
    ("ZZ", _("Other country")),
]
COUNTRY_NAMES = dict(COUNTRIES)


@cache
def _names(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in COUNTRIES}


def country_name(code: str) -> str:
    """A country's name in the active language; the code itself when unknown.

    Pages name a country per row (a traveller with 200 trips), and Django's get_FOO_display()
    hashes every lazy name on every call: the names are worked out once per language.
    """
    return _names(translation.get_language() or settings.LANGUAGE_CODE).get(code, code)
