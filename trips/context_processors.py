"""What every page's navigation needs to know about the logged-in user (roles, the alert badge)."""

from trips import access
from trips.http import StaysiteRequest


def navigation(request: StaysiteRequest) -> dict:
    """What the navigation bar offers this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "manage_travellers": access.can_manage_travellers(user),
            "review_alerts": access.can_review_alerts(user),
            "exchange_trips": access.can_exchange_trips(user),
            "change_settings": access.can_change_settings(user),
            "personal_data": access.can_handle_personal_data(user),
            "own_page": access.is_traveller(user),
            "admin": user.is_staff,
            # A callable: counted only when a template shows the badge.
            "alert_count": lambda: access.visible_alerts(user).action_needed().count(),
        }
    }
