# One way to write a day in English, on every page, form message and email: "4 Mar 2026"
# (day first, as the travellers' other documents write it; never "03/04/2026").
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
