"""Template filters that word a stored finding (an alert) in the reader's language."""

from django import template

from trips import wording

register = template.Library()


@register.filter
def finding_message(alert) -> str:
    """`{{ alert|finding_message }}`: what the alert's finding says."""
    return wording.describe(alert.kind, alert.params)


@register.filter
def finding_source(alert) -> str:
    """`{{ alert|finding_source }}`: the law behind the alert's rule."""
    return wording.legal_source(alert.rule_key)
