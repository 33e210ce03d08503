"""The "what if" planner: a planned stay checked against the traveller's trips, as one types.

Every figure comes from `trips.evaluation.planner.plan()`; this module parses the dates and
renders. The answer is a GET (nothing changes); saving the plan posts to trip_create, whose form and
checks are the same as for any planned trip.
"""

from datetime import date

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from trips import access
from trips.choices import Purpose
from trips.countries import COUNTRIES
from trips.dates import day
from trips.evaluation import current_stay, details, planner
from trips.evaluation.findings import TravellerStatus
from trips.forms import DayField
from trips.http import StaysiteRequest
from trips.models import Traveller
from trips.words import plan_words, presenters
from trips.words.timeline import timeline_svg

PLANNER = "trips/planner.html"


class PlanForm(forms.Form):
    leave = DayField(
        label=_("Leave the current stay on"),
        required=False,
        help_text=_("Empty: the latest legal exit."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="KZ")
    entry = DayField(label=_("Planned entry"), required=False)
    exit = DayField(label=_("Planned exit"), required=False)
    length = forms.IntegerField(
        label=_("or length in days"),
        required=False,
        min_value=1,
        max_value=planner.PLAN_MAX_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, prefix="plan", in_country=False, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        if not in_country:
            del self.fields["leave"]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"plan-{name}")

    def clean(self):
        cleaned = super().clean()
        entry, exit, length = (cleaned.get(k) for k in ("entry", "exit", "length"))
        # From inside a country the current stay alone is a question; elsewhere an entry is.
        needs_entry = exit or length or "leave" not in self.fields
        if not entry and needs_entry and "entry" not in self.errors:
            self.add_error("entry", _("Enter the planned entry date."))
        elif entry and exit and exit < entry:
            self.add_error("exit", _("The exit date is before the entry date."))
        elif entry and exit and length and (exit - entry).days + 1 != length:
            self.add_error(
                "length",
                _("Give either an exit date or a length: %(exit)s is not day %(length)d.")
                % {"exit": day(exit), "length": length},
            )
        return cleaned


def planner_context(traveller: Traveller, form: PlanForm, *, on: date) -> dict:
    """The planner's answer for a bound form; for an unbound one, the current stay's alone."""
    context = {"traveller": traveller, "plan_form": form, "today": on}
    if form.is_bound and not form.is_valid():
        return context
    data = form.cleaned_data if form.is_bound else {}
    try:
        current = current_stay.current_stay(traveller, on=on, exit=data.get("leave"))
    except current_stay.StayError as error:
        context["plan_error"] = str(error)
        return context
    if current is not None:
        if not form.is_bound:
            form.initial["leave"] = current.exit
        context["current"] = plan_words.current_lines(current)
        context["planned_exit"] = current.exit
        context |= _timeline("current", current.details, on)
    if not data.get("entry"):
        return context
    try:
        answer = planner.plan(
            traveller,
            country=data["country"],
            entry=data["entry"],
            exit=data["exit"],
            length=data["length"],
            current_exit=data.get("leave"),
            on=on,
        )
    except planner.PlanError as error:
        context["plan_error"] = str(error)
        return context
    context["answer"] = answer
    context["plan"] = plan_words.plan_lines(answer, traveller)
    context |= _timeline("plan", answer.details, on)
    if answer.exit is not None:
        context["save_plan"] = {
            "country": answer.country,
            "entry": answer.entry.isoformat(),
            "exit": answer.exit.isoformat(),
            "purpose": Purpose.BUSINESS_MEETING,
        }
    return context


def _timeline(name: str, figures, on: date) -> dict:
    """The answer in the timeline: the picture and its text equivalent, if a rule counts."""
    if figures is None:
        return {}
    svg, facts = timeline_svg(figures, on)
    return {
        f"{name}_timeline": svg,
        f"{name}_timeline_facts": facts,
        f"{name}_limit": figures.explanation.limit,
    }


def page_context(status: TravellerStatus) -> dict:
    """What the traveller page adds to the evaluation it has: the status cards and the planner."""
    in_country = status.current_trip is not None
    form = PlanForm(initial={"country": "KZ"}, in_country=in_country)
    context = {"cards": presenters.status_cards(details.status_details(status), status.on)}
    if in_country:
        # The current stay's answer, before anything is typed.
        return context | planner_context(status.traveller, form, on=status.on)
    return context | {"plan_form": form}


@require_GET
@vary_on_headers("HX-Request")
def traveller_plan(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_plan_trips(request.user, traveller))
    today = timezone.localdate()
    in_country = current_stay.stay_on(traveller, on=today) is not None
    form = PlanForm(request.GET or None, in_country=in_country)
    context = planner_context(traveller, form, on=today)
    context["can_plan"] = True
    trip = current_stay.stay_on(traveller, on=today)
    context["can_set_exit"] = trip is not None and access.can_set_planned_exit(
        request.user, trip, on=today
    )
    if request.htmx:
        return render(request, f"{PLANNER}#plan-answer", context)
    return render(request, "trips/plan.html", context)


urlpatterns = [
    path("travellers/<int:pk>/plan/", traveller_plan, name="traveller_plan"),
]
