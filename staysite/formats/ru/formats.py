# A day in Russian reads "2 декабря 2026", without Django's trailing "г.": sentences end in a
# date ("... не позднее 2 декабря 2026."), and "г.." would end them twice. The rest of the
# Russian formats (decimal comma, no-break space between thousands) are Django's own.
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, G:i"
YEAR_MONTH_FORMAT = "F Y"
