"""Findings a careful immigration lawyer would sign: each new finding, its alert and its words,
the organisation's choices behind them, and the calendar a compliance admin corrects."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories
from trips import wording
from trips.choices import AlertKind, Purpose, Status
from trips.evaluation import alert_queue, findings, planner, snapshots
from trips.models import Alert, CalendarYear, Trip, Visa


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def kinds(traveller, on) -> dict:
    return {f.kind: f for f in findings.evaluate(traveller, on=on).findings}


def live_alert(traveller, kind) -> Alert:
    return Alert.objects.live().get(traveller=traveller, kind=kind)


def filed_trip(traveller, **fields) -> Trip:
    trip = factories.make_trip(traveller=traveller, **fields)
    factories.make_notification(trip=trip)
    return trip


# --- Visa needed (§1: visa-free "not for work, installation or Montage"; §13) --------


@pytest.mark.parametrize(
    ("purpose", "visa_kind", "needed"),
    [
        pytest.param(Purpose.MONTAGE, None, True, id="montage-without-visa"),
        pytest.param(Purpose.MONTAGE, Visa.Kind.B2_MULTIPLE, False, id="montage-on-b2"),
        pytest.param(Purpose.EMPLOYMENT, Visa.Kind.B2_MULTIPLE, True, id="employment-on-b2"),
        pytest.param(Purpose.REMOTE_WORK, None, True, id="remote-work-without-visa"),
        pytest.param(Purpose.BUSINESS_MEETING, None, False, id="meeting-visa-free"),
    ],
)
def test_a_trip_to_kazakhstan_for_work_needs_a_fitting_visa(traveller, purpose, visa_kind, needed):
    visa = None
    if visa_kind:
        visa = factories.make_visa(traveller=traveller, kind=visa_kind, days_allowed=None)
    filed_trip(traveller, entry=date(2026, 3, 2), days=10, purpose=purpose, visa=visa)

    assert (AlertKind.VISA_NEEDED in kinds(traveller, date(2026, 3, 5))) is needed


def test_the_visa_needed_alert_names_the_visas_that_fit(traveller):
    filed_trip(traveller, entry=date(2026, 3, 2), days=10, purpose=Purpose.MONTAGE)

    alert_queue.refresh_alerts(on=date(2026, 3, 5))

    alert = live_alert(traveller, AlertKind.VISA_NEEDED)
    assert alert.severity == Status.ACTION
    assert wording.describe(alert.kind, alert.params) == (
        "The trip to Kazakhstan from 2 Mar 2026 (Montage / installation) needs a visa: one of "
        "B2 business visa, single entry, B2 business visa, multiple entry. None is recorded."
    )


def test_a_kazakh_citizen_in_the_schengen_area_needs_a_visa(organisation):
    aigerim = factories.make_traveller(organisation=organisation, citizenship="KZ")
    filed_trip(aigerim, country="DE", entry=date(2026, 3, 2), days=10)

    found = kinds(aigerim, date(2026, 3, 5))[AlertKind.VISA_NEEDED]

    assert found.params["kinds"] == ["schengen_c", "de_national_d", "de_residence_permit"]
    assert found.rule_key == "schengen_visa"


def test_a_past_trip_without_a_visa_raises_no_visa_needed_finding(traveller):
    filed_trip(traveller, entry=date(2026, 1, 5), days=10, purpose=Purpose.MONTAGE)

    assert AlertKind.VISA_NEEDED not in kinds(traveller, date(2026, 3, 5))


# --- Citizenship (docs/rules.md §15) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("citizenship", "not_modelled"),
    [
        pytest.param("DE", False, id="german"),
        pytest.param("RU", False, id="eaeu"),
        pytest.param("US", True, id="american"),
    ],
)
def test_a_citizenship_whose_rules_are_not_modelled_says_so(
    organisation, citizenship, not_modelled
):
    person = factories.make_traveller(organisation=organisation, citizenship=citizenship)
    filed_trip(person, entry=date(2026, 3, 2), days=10)

    found = kinds(person, date(2026, 3, 5))

    assert (AlertKind.CITIZENSHIP_NOT_MODELLED in found) is not_modelled
    if not_modelled:
        assert wording.describe(
            AlertKind.CITIZENSHIP_NOT_MODELLED, found[AlertKind.CITIZENSHIP_NOT_MODELLED].params
        ).startswith("The rules for citizens of United States are not modelled")


def test_an_eaeu_citizen_may_stay_90_days_per_entry(organisation):
    # docs/rules.md §15: "KZ: EAEU 90 per entry". Day 40 of an open stay is no overstay.
    person = factories.make_traveller(organisation=organisation, citizenship="KG")
    filed_trip(person, entry=date(2026, 3, 2), days=None)

    status = findings.evaluate(person, on=date(2026, 4, 10))

    assert status.kz.report.overstay_days == 0
    assert status.kz.report.latest_legal_exit == date(2026, 5, 30)


# --- Registration ahead (§4: the permit before day 31) -------------------------------


@pytest.mark.parametrize(
    ("lead_days", "on", "ahead"),
    [
        pytest.param(7, date(2026, 3, 23), False, id="eight-days-before"),
        pytest.param(7, date(2026, 3, 24), True, id="seven-days-before"),
        pytest.param(14, date(2026, 3, 17), True, id="lead-days-from-the-settings"),
    ],
)
def test_an_open_stay_on_a_visa_is_warned_before_its_registration_is_due(
    traveller, organisation, lead_days, on, ahead
):
    organisation.registration_lead_days = lead_days
    organisation.save()
    visa = factories.make_visa(traveller=traveller, kind=Visa.Kind.C3, days_allowed=None)
    filed_trip(traveller, entry=date(2026, 3, 2), days=None, visa=visa)

    found = kinds(traveller, on).get(AlertKind.REGISTRATION_AHEAD)

    assert (found is not None) is ahead
    if ahead:
        assert found.due_on == date(2026, 3, 31)
        assert "may pass 30 days: temporary registration by 31 Mar 2026" in found.message


def test_an_open_visa_free_stay_of_a_german_gets_the_stay_warning_not_a_registration(traveller):
    # 30 days per stay (docs/rules.md §1): passing 30 days is an overstay, not a registration.
    filed_trip(traveller, entry=date(2026, 3, 2), days=None)

    assert AlertKind.REGISTRATION_AHEAD not in kinds(traveller, date(2026, 3, 26))


# --- Same-day re-entry (docs/rules.md §1, §15 `merge_same_day_reentry`) ---------------------------


@pytest.mark.parametrize(
    ("merge", "overstay"),
    [
        pytest.param(True, 11, id="merged-by-default"),
        pytest.param(False, 0, id="new-crossing"),
    ],
)
def test_a_verdict_that_rests_on_the_same_day_setting_says_so(
    traveller, organisation, merge, overstay
):
    organisation.merge_same_day_reentry = merge
    organisation.save()
    filed_trip(traveller, entry=date(2026, 1, 1), exit=date(2026, 1, 20))
    filed_trip(traveller, entry=date(2026, 1, 20), days=None)

    status = findings.evaluate(traveller, on=date(2026, 2, 10))
    found = {f.kind: f for f in status.findings}

    assert status.kz.report.overstay_days == overstay
    assert found[AlertKind.SAME_DAY_CHOICE].severity == Status.ATTENTION
    assert "same-day exit and re-entry in Kazakhstan" in found[AlertKind.SAME_DAY_CHOICE].message


# --- The 183-day crossing expires (§9: "within a 12-month period") -------------------


def test_a_tax_crossing_alert_closes_when_its_window_has_passed(traveller):
    visa = factories.make_visa(
        traveller=traveller, kind=Visa.Kind.C3, valid_until=date(2026, 12, 31), days_allowed=None
    )
    filed_trip(traveller, entry=date(2026, 1, 5), exit=date(2026, 7, 31), visa=visa)
    alert_queue.refresh_alerts(on=date(2026, 8, 1))
    crossed = live_alert(traveller, AlertKind.TAX_CROSSED)

    alert_queue.refresh_alerts(on=date(2027, 8, 1))

    crossed.refresh_from_db()
    assert crossed.state == Alert.State.CLOSED


# --- KoAP art. 517 under a Kazakh visa (§5) ------------------------------------------


def test_overstaying_a_kazakh_visa_gets_its_koap_band(traveller):
    visa = factories.make_visa(
        traveller=traveller, kind=Visa.Kind.C3, valid_until=date(2026, 3, 31), days_allowed=None
    )
    filed_trip(traveller, entry=date(2026, 3, 10), days=None, visa=visa)

    found = kinds(traveller, date(2026, 4, 5))[AlertKind.OVERSTAY_SANCTION]

    assert (found.params["days"], found.params["band"]) == (5, "4-5")
    assert "Fine of 10 MCI" in found.message


# --- The calendar a compliance admin corrects (§3) -----------------------------------


def test_an_eqonaq_deadline_in_an_unconfirmed_year_says_so(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 6), days=5)

    found = kinds(traveller, date(2026, 3, 6))[AlertKind.EQONAQ_DUE]

    assert "The working-day calendar of 2026 is not confirmed" in found.message


def test_a_corrected_year_moves_the_deadline_and_is_confirmed(traveller, organisation):
    # Arrival Fri 6 Mar 2026: 6, 10, 11 Mar with 9 Mar off; with 10 Mar off too, 12 Mar.
    CalendarYear.objects.create(
        organisation=organisation, year=2026, holidays=["2026-03-09", "2026-03-10"]
    )
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 6), days=5)

    found = kinds(traveller, date(2026, 3, 6))[AlertKind.EQONAQ_DUE]

    assert found.params["deadline"] == "2026-03-12"
    assert "not confirmed" not in found.message


def test_the_settings_page_offers_the_new_choices(client, compliance):
    client.force_login(compliance)

    page = client.get(reverse("trips:organisation_settings")).content.decode()

    assert 'name="merge_same_day_reentry"' in page
    assert 'name="registration_lead_days"' in page
    assert 'name="kz_annual_cap"' in page
    assert "Kazakh working-day calendar" in page


def test_the_calendar_form_is_prefilled_with_the_built_in_year(client, compliance):
    client.force_login(compliance)

    page = client.get(reverse("trips:calendar_year_update"), {"year": 2024}).content.decode()

    assert "2024-05-07" in page  # Defender of the Fatherland Day
    assert "2024-05-04" in page  # the working Saturday


def test_a_compliance_admin_saves_a_year_and_the_history_records_it(
    client, compliance, organisation
):
    client.force_login(compliance)

    response = client.post(
        reverse("trips:calendar_year_update"),
        {"year": 2026, "holidays": "2026-03-09\n2026-03-08\n", "transferred_working_days": ""},
    )

    assert response.status_code == 302
    saved = CalendarYear.objects.get(organisation=organisation, year=2026)
    assert saved.holidays == ["2026-03-08", "2026-03-09"]
    assert saved.history.first().history_user == compliance


@pytest.mark.parametrize(
    ("holidays", "message"),
    [
        pytest.param("2026-3-9", "Line 1: 2026-3-9 is not a date as YYYY-MM-DD.", id="not-iso"),
        pytest.param(
            "2026-03-09\n2025-12-31", "Line 2: 2025-12-31 is not in 2026.", id="wrong-year"
        ),
    ],
)
def test_a_bad_calendar_line_is_refused_with_its_line_number(client, compliance, holidays, message):
    client.force_login(compliance)

    response = client.post(
        reverse("trips:calendar_year_update"),
        {"year": 2026, "holidays": holidays, "transferred_working_days": ""},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.exists()


# --- Extreme dates (forms refuse what the engine does not count) -----------------------------


@pytest.mark.parametrize("entry", ["0001-01-01", "9999-12-31"])
def test_the_trip_form_refuses_dates_the_engine_does_not_count(client, hr, traveller, entry):
    client.force_login(hr)

    response = client.post(
        reverse("trips:trip_create", kwargs={"pk": traveller.pk}),
        {"country": "KZ", "entry": entry, "exit": "", "purpose": "business_meeting"},
    )

    assert response.status_code == 200
    assert "Give a date between 1 Jan 1900 and 31 Dec 2199." in response.content.decode()
    assert not traveller.trips.exists()


def test_the_traveller_page_shows_the_new_findings(client, hr, organisation):
    person = factories.make_traveller(organisation=organisation, citizenship="US")
    filed_trip(person, entry=date(2026, 3, 2), days=None, purpose=Purpose.MONTAGE)
    client.force_login(hr)

    page = client.get(reverse("trips:traveller_detail", kwargs={"pk": person.pk})).content
    page = page.decode()

    assert "The rules for citizens of United States are not modelled" in page
    assert "needs a visa: one of B2 business visa" in page


def test_a_planned_new_tax_crossing_shows_while_the_old_one_holds(traveller):
    # docs/rules.md §9: 5 Jan - 31 Jul 2026 crosses 183 days on 7 Jul 2026 (27 + 28 + 31 + 30 + 31
    # + 30 + 7 = day 184); a planned trip 1 Jun - 31 Dec 2027 crosses again on 1 Dec 2027
    # (30 + 31 + 31 + 30 + 31 + 30 = 183 to 30 Nov), after the count fell back.
    visa = factories.make_visa(
        traveller=traveller, kind=Visa.Kind.C3, valid_until=date(2027, 12, 31), days_allowed=None
    )
    filed_trip(traveller, entry=date(2026, 1, 5), exit=date(2026, 7, 31), visa=visa)
    filed_trip(traveller, entry=date(2027, 6, 1), exit=date(2027, 12, 31), visa=visa)

    found = kinds(traveller, date(2026, 8, 1))[AlertKind.TAX_CROSSED]

    assert found.params["date"] == "2026-07-07"
    assert found.message.endswith("The planned trips cross 183 days again on 1 Dec 2027.")


def test_the_planner_uses_the_limits_of_the_travellers_citizenship(organisation):
    # docs/rules.md §15: "KZ: EAEU 90 per entry". A Kyrgyz citizen's 40-day plan is lawful.
    person = factories.make_traveller(organisation=organisation, citizenship="KG")

    answer = planner.plan(
        person, country="KZ", entry=date(2026, 3, 10), exit=date(2026, 4, 18), on=date(2026, 3, 1)
    )

    assert answer.legal is True
    assert answer.latest_legal_exit == date(2026, 6, 7)  # day 90


def test_an_overstay_fine_uses_the_mci_of_the_year_proceedings_start(traveller):
    # docs/rules.md §5: 4-5 days = 10 MCI; §15a: the MCI in force when proceedings start (KoAP
    # art. 44(1)). Entered 1 Dec 2025, last legal day 30 Dec 2025, present 31 Dec - 4 Jan and
    # still there: 5 days begun in 2025, read in 2026, so 10 x 4,325 KZT (the 2026 MCI).
    filed_trip(traveller, entry=date(2025, 12, 1), days=None)

    found = kinds(traveller, date(2026, 1, 4))[AlertKind.OVERSTAY_SANCTION]

    assert (found.params["fine_kzt"], found.params["mci_year"]) == (43250, 2026)
    assert found.params["mci_basis"] == "query_date"
    assert found.message.endswith("43,250 KZT at the MCI of 2026, this year's: no exit yet.")


def test_an_overstay_fine_after_the_exit_says_it_uses_the_exit_year(traveller):
    # §15a: proceedings start at the exit, usually. Present 31 Dec 2025 - 4 Jan 2026, left on
    # 4 Jan: 5 days, 10 x 4,325 KZT (the MCI of 2026, the exit's year).
    filed_trip(traveller, entry=date(2025, 12, 1), exit=date(2026, 1, 4))

    found = kinds(traveller, date(2026, 1, 10))[AlertKind.OVERSTAY_SANCTION]

    assert found.params["mci_basis"] == "exit"
    assert found.message.endswith("43,250 KZT at the MCI of 2026, the year of the exit.")


@pytest.mark.parametrize(
    ("country", "entry", "national"),
    [
        # §15a: Kazakh citizens need a national visa for the EU states outside Schengen.
        pytest.param("CY", date(2026, 3, 2), "CY", id="cyprus-outside-schengen"),
        pytest.param("IE", date(2026, 3, 2), "IE", id="ireland-outside-schengen"),
        pytest.param("BG", date(2024, 2, 1), "BG", id="bulgaria-before-31-mar-2024"),
        pytest.param("RO", date(2024, 3, 30), "RO", id="romania-the-day-before-joining"),
    ],
)
def test_a_kazakh_citizen_in_an_eu_state_outside_schengen_needs_its_national_visa(
    organisation, country, entry, national
):
    aigerim = factories.make_traveller(organisation=organisation, citizenship="KZ")
    filed_trip(aigerim, country=country, entry=entry, days=5)

    found = kinds(aigerim, entry)[AlertKind.VISA_NEEDED]

    assert (found.params["kinds"], found.params["national"]) == ([], national)
    assert "needs a national visa of" in found.message


def test_bulgaria_from_31_march_2024_asks_for_a_schengen_visa(organisation):
    # §11: Bulgaria and Romania applied the Schengen acquis in full from 31 Mar 2024.
    aigerim = factories.make_traveller(organisation=organisation, citizenship="KZ")
    filed_trip(aigerim, country="BG", entry=date(2024, 4, 2), days=5)

    found = kinds(aigerim, date(2024, 4, 2))[AlertKind.VISA_NEEDED]

    assert found.params["national"] == ""
    assert "schengen_c" in found.params["kinds"]


def test_a_long_multiple_entry_schengen_visa_raises_no_total_days_alert(organisation):
    # Visa Code Annex VII point 4: valid more than six months, multiple entry: 90 in any 180.
    # 60 days in Jan-Mar and 60 in Aug-Sep 2026: 120 in all, never more than 90 in a window.
    aigerim = factories.make_traveller(organisation=organisation, citizenship="KZ")
    visa = factories.make_visa(
        traveller=aigerim,
        country="DE",
        kind=Visa.Kind.SCHENGEN_C,
        valid_from=date(2026, 1, 1),
        valid_until=date(2027, 12, 31),
        entries_allowed=None,
        days_allowed=90,
    )
    filed_trip(aigerim, country="DE", entry=date(2026, 1, 1), exit=date(2026, 3, 1), visa=visa)
    filed_trip(aigerim, country="DE", entry=date(2026, 8, 1), exit=date(2026, 9, 29), visa=visa)

    found = kinds(aigerim, date(2026, 9, 29))

    assert AlertKind.VISA_DAYS_EXCEEDED not in found
    assert AlertKind.SCHENGEN_OVERSTAY not in found


@pytest.mark.parametrize(
    ("citizenship", "cap"),
    [
        pytest.param("DE", 30, id="german-30"),
        pytest.param("IN", 14, id="indian-14"),
        pytest.param("CN", 30, id="chinese-30"),
    ],
)
def test_the_dashboards_stay_cap_is_that_of_the_travellers_citizenship(
    organisation, citizenship, cap
):
    person = factories.make_traveller(organisation=organisation, citizenship=citizenship)
    factories.make_trip(traveller=person, entry=date(2026, 3, 20), days=None)

    snapshot = snapshots.refresh_snapshot(person, on=date(2026, 3, 25))

    assert (snapshot.stay_day, snapshot.stay_cap) == (6, cap)
