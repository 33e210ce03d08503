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
from trips.evaluation import details, planner
from trips.evaluation.findings import TravellerStatus
from trips.forms import DayField
from trips.http import StaysiteRequest
from trips.models import Traveller
from trips.words import plan_words, presenters

PLANNER = "trips/planner.html"


class PlanForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="KZ")
    entry = DayField(label=_("Planned entry"))
    exit = DayField(label=_("Planned exit"), required=False)
    length = forms.IntegerField(
        label=_("or length in days"),
        required=False,
        min_value=1,
        max_value=planner.PLAN_MAX_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, prefix="plan", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"plan-{name}")

    def clean(self):
        cleaned = super().clean()
        entry, exit, length = (cleaned.get(k) for k in ("entry", "exit", "length"))
        if entry and exit and exit < entry:
            self.add_error("exit", _("The exit date is before the entry date."))
        elif entry and exit and length and (exit - entry).days + 1 != length:
            self.add_error(
                "length",
                _("Give either an exit date or a length: %(exit)s is not day %(length)d.")
                % {"exit": day(exit), "length": length},
            )
        return cleaned


def planner_context(traveller: Traveller, form: PlanForm, *, on: date) -> dict:
    """The planner's answer for a bound form; the empty planner for an unbound one."""
    context = {"traveller": traveller, "plan_form": form, "today": on}
    if not form.is_bound or not form.is_valid():
        return context
    data = form.cleaned_data
    try:
        answer = planner.plan(
            traveller,
            country=data["country"],
            entry=data["entry"],
            exit=data["exit"],
            length=data["length"],
            on=on,
        )
    except planner.PlanError as error:
        context["plan_error"] = str(error)
        return context
    context["answer"] = answer
    context["plan"] = plan_words.plan_lines(answer, traveller)
    if answer.exit is not None:
        context["save_plan"] = {
            "country": answer.country,
            "entry": answer.entry.isoformat(),
            "exit": answer.exit.isoformat(),
            "purpose": Purpose.BUSINESS_MEETING,
        }
    return context


def page_context(status: TravellerStatus) -> dict:
    """What the traveller page adds to the evaluation it has: the status cards and the planner."""
    return {
        "cards": presenters.status_cards(details.status_details(status), status.on),
        "plan_form": PlanForm(initial={"country": "KZ"}),
    }


@require_GET
@vary_on_headers("HX-Request")
def traveller_plan(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_plan_trips(request.user, traveller))
    form = PlanForm(request.GET or None)
    context = planner_context(traveller, form, on=timezone.localdate())
    context["can_plan"] = True
    if request.htmx:
        return render(request, f"{PLANNER}#plan-answer", context)
    return render(request, "trips/plan.html", context)


urlpatterns = [
    path("travellers/<int:pk>/plan/", traveller_plan, name="traveller_plan"),
]
