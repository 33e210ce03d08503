"""Every rule with its docs/rules.md section, legal basis and effective-from date.

Rule sets are versioned by effective date: `rules_in_force(on)` gives the newest version of
each rule whose `effective_from` is on or before `on`, so a later change is added as a new
`Rule` with the same key instead of rewriting the old one, so history is never rewritten.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule as stated in docs/rules.md, with where it comes from."""

    key: str
    title: str
    section: str
    legal_basis: str
    effective_from: date | None
    confidence: str
    source_url: str = ""


RULES: tuple[Rule, ...] = (
    Rule(
        "kz_per_stay_cap",
        "Kazakhstan visa-free: at most 30 days per stay, entry day = day 1",
        "docs/rules.md §1",
        "Law 'On Migration of the Population' No. 477-IV art. 6; Rules of Entry and Stay "
        "(Decree No. 148 of 21 Jan 2012) as amended by Decree No. 1146 of 31 Dec 2022",
        date(2017, 1, 1),
        "high",
        "https://visitastana.kz/en/information/tourist-memo/"
        "the-procedure-for-entry-and-stay-of-foreigners-in-the-republic-of-kazakhstan/",
    ),
    Rule(
        "kz_90_180",
        "Kazakhstan visa-free: at most 90 days in every 180-day period",
        "docs/rules.md §2",
        "Rules of Entry and Stay (Decree No. 148) as amended by Decree No. 1146 of 31 Dec 2022, "
        "in force 27 Jan 2023; Law on Migration art. 48 (refusal of entry)",
        date(2023, 1, 27),
        "high (rule) / medium (counting)",
        "https://new.wpk.kz/kaz_entry_eng",
    ),
    Rule(
        "eqonaq_notification",
        "eQonaq arrival notification by the host within 3 working days",
        "docs/rules.md §3",
        "Rules of Entry and Stay (Decree No. 148) para. 9; KoAP art. 518(1)",
        None,
        "medium-high (3 working days) / medium-low (arrival day counts)",
        "https://dos-immigration.kz/en/services/submission-of-notification-on-arrival",
    ),
    Rule(
        "kz_registration",
        "Temporary registration for a stay longer than 30 days, by day 30",
        "docs/rules.md §4",
        "Rules of Entry and Stay (Decree No. 148); exemption for stays up to 30 days since "
        "11 Jan 2020",
        date(2020, 1, 11),
        "medium (rule) / low (deadline)",
        "https://expatcentre.aifc.kz/en/notification-and-registration",
    ),
    Rule(
        "kz_overstay",
        "Overstay sanctions by days overstayed",
        "docs/rules.md §5",
        "Code of Administrative Offences of 5 Jul 2014 No. 235-V, art. 517(3)-(4)",
        date(2015, 1, 1),
        "high (up to 3 days) / medium (4-5 days) / low (6 days and more)",
        "https://oq.gov.kz/en/news/"
        "872-pervyy-forum-molodedgi-diaspory-organizovannyy-gosudarstvennym-komitetom-azerbay",
    ),
    Rule(
        "kz_montage",
        "Montage (installation) under a B2 visa: at most 120 days within a year",
        "docs/rules.md §6",
        "Joint order of the MFA and MIA on visas (adilet V1600014531); GTAI 15 Jan 2026",
        None,
        "medium (visa data) / low (how the year is counted)",
        "https://support-agency.kz/en/pages/viza-support.php",
    ),
    Rule(
        "kz_visas",
        "A stay under a Kazakh visa is checked against the visa's validity and stay limits",
        "docs/rules.md §6-8",
        "Joint order of the MFA and MIA on visas (adilet V1600014531)",
        None,
        "medium",
        "https://support-agency.kz/en/pages/viza-support.php",
    ),
    Rule(
        "dta_183",
        "DTA Germany-Kazakhstan art. 15: more than 183 presence days in any 12 months",
        "docs/rules.md §9",
        "Agreement of 26 Nov 1997 (BGBl. 1998 II S. 1592) art. 15(2)(a); OECD Commentary on "
        "art. 15 para. 5; BMF letter of 12 Dec 2023",
        date(1998, 12, 21),
        "medium (wording) / high (counting)",
        "https://legalinstruments.oecd.org/public/doc/495/dd444ef4-d7ca-4727-b396-ff48f48bdac4.htm",
    ),
    Rule(
        "schengen_90_180",
        "Schengen: at most 90 days in any 180-day period",
        "docs/rules.md §11",
        "Regulation (EU) 2016/399 (Schengen Borders Code) art. 6(1)-(2), wording of Reg. 610/2013",
        date(2013, 10, 18),
        "high",
        "https://www.sem.admin.ch/sem/en/home/themen/einreise/aufenthaltsrechner/bsp-2.html",
    ),
    Rule(
        "schengen_visa",
        "Schengen C visa: validity and authorised days of stay, within 90/180",
        "docs/rules.md §11, §13",
        "Regulation (EU) 2018/1806 Annex I; Schengen Borders Code art. 6",
        None,
        "high",
        "https://lexparency.de/eu/32018R1806/ANX_I/",
    ),
    Rule(
        "de_national_visa",
        "German national (D) visa: validity; travel insurance for the first 90 days",
        "docs/rules.md §12",
        "Auswärtiges Amt, 'Nationale Visa' (Botschaft Astana / GK Almaty); SBC art. 6(2)",
        None,
        "high",
    ),
)

_BY_KEY: dict[str, list[Rule]] = {}
for _rule in RULES:
    _BY_KEY.setdefault(_rule.key, []).append(_rule)


def rule(key: str, on: date | None = None) -> Rule:
    """The version of rule `key` in force on `on` (the newest version when `on` is None)."""
    versions = sorted(_BY_KEY[key], key=lambda r: r.effective_from or date.min)
    if on is None:
        return versions[-1]
    in_force = [r for r in versions if r.effective_from is None or r.effective_from <= on]
    return in_force[-1] if in_force else versions[0]


def rules_in_force(on: date) -> tuple[Rule, ...]:
    """Every rule whose effective-from date is on or before `on`, newest version per key."""
    found = []
    for key, versions in _BY_KEY.items():
        if any(r.effective_from is None or r.effective_from <= on for r in versions):
            found.append(rule(key, on))
    return tuple(found)
