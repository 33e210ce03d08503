"""`{{ record|label:"field" }}`: what a choice field's value reads as, cheaply, on long pages.

Django's `get_FOO_display()` rebuilds the field's choices and hashes every lazy label on each
call, and a page of 50 alerts or a traveller with 200 trips calls it hundreds of times. The
labels are worked out once per field and language instead, as `countries.country_name()` does
for countries.
"""

from functools import cache

from django import template
from django.conf import settings
from django.db import models
from django.utils import translation

register = template.Library()


@register.filter
def label(record: models.Model, field_name: str) -> str:
    """The label of `record`'s value of the choice field `field_name` in the active language,
    as `get_<field_name>_display()` gives it; the value itself when it is not a choice."""
    value = getattr(record, field_name)
    language = translation.get_language() or settings.LANGUAGE_CODE
    return _labels(type(record), field_name, language).get(value, value)


@cache
def _labels(model: type[models.Model], field_name: str, language: str) -> dict:
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.Field)  # a choice field of the model itself
    with translation.override(language):
        return {value: str(text) for value, text in field.flatchoices}
