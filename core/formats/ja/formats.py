"""Japanese: Django's formats (django/conf/locale/ja/formats.py) but for the ones below."""

# A space between the date and the time: Django's reads 2026年12月5日15:56. Templates write
# {{ x|date:"DATETIME_FORMAT" }} and code formats.date_format(x, "DATETIME_FORMAT"), so every
# date and time of the portal reads alike.
DATETIME_FORMAT = "Y年n月j日 G:i"
