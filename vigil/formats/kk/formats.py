# Kazakh dates: "8 қаңтар 2022 ж." (E: month names in lower case, from locale/kk).
DATE_FORMAT = "j E Y ж."
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "j E Y ж., H:i"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
