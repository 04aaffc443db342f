"""Targets from the goal sections of the provincial and city work plans (percentages).

Each plan is cited by its document number. A city's own plan has rank 2 and overrides
the province's plan (rank 1) for the same year, region and scope. Scopes: ``total`` —
the region as a whole; ``departments`` — the region's own level of departments (省直,
市直); ``subregions`` — each region one level down, as a whole (a city's counties).

The 2016 province plan's 两页 goals are opening ratios (开通比例), not the usage rates
monitored here, so only Chaozhou's 2017 usage targets are loaded for those two.
"""

# The nine Pearl River Delta cities (珠三角九市) and the twelve of 粤东西北.
PRD_CITIES = (
    "440100",
    "440300",
    "440400",
    "440600",
    "440700",
    "441200",
    "441300",
    "441900",
    "442000",
)
OTHER_CITIES = (
    "440200",
    "440500",
    "440800",
    "440900",
    "441400",
    "441500",
    "441600",
    "441700",
    "441800",
    "445100",
    "445200",
    "445300",
)

PROVINCE_2015 = "粤办函〔2015〕208号"
PROVINCE_2016 = "粤办函〔2016〕186号"
JIANGMEN_2016 = "江府办函〔2016〕130号"
CHAOZHOU_2017 = "潮府办函〔2017〕135号"

# (year, region codes, scope, rank, source, {indicator: value})
PLANS = [
    (
        2015,
        ("440000",),
        "total",
        1,
        PROVINCE_2015,
        {"online_full": 30, "online_conclude": 30, "visits_le1": 70},
    ),
    (
        2015,
        ("440000",),
        "departments",
        1,
        PROVINCE_2015,
        {"online_full": 70, "online_conclude": 70},
    ),
    (2015, PRD_CITIES, "total", 1, PROVINCE_2015, {"online_full": 60, "online_conclude": 50}),
    (2015, PRD_CITIES, "subregions", 1, PROVINCE_2015, {"online_full": 40, "online_conclude": 30}),
    (2015, OTHER_CITIES, "total", 1, PROVINCE_2015, {"online_full": 40, "online_conclude": 30}),
    (
        2015,
        OTHER_CITIES,
        "subregions",
        1,
        PROVINCE_2015,
        {"online_full": 25, "online_conclude": 20},
    ),
    (
        2016,
        ("440000",),
        "total",
        1,
        PROVINCE_2016,
        {
            "online_full": 50,
            "online_apply": 50,
            "online_conclude": 40,
            "visits_le1": 70,
            "visits_zero": 20,
        },
    ),
    (
        2016,
        ("440000",),
        "departments",
        1,
        PROVINCE_2016,
        {
            "online_full": 80,
            "online_apply": 85,
            "online_conclude": 80,
            "visits_le1": 98,
            "visits_zero": 60,
            "mobile": 40,
        },
    ),
    (
        2016,
        PRD_CITIES,
        "total",
        1,
        PROVINCE_2016,
        {
            "online_full": 70,
            "online_apply": 65,
            "online_conclude": 60,
            "visits_le1": 85,
            "visits_zero": 30,
            "mobile": 30,
        },
    ),
    (
        2016,
        PRD_CITIES,
        "subregions",
        1,
        PROVINCE_2016,
        {
            "online_full": 50,
            "online_apply": 50,
            "online_conclude": 40,
            "visits_le1": 70,
            "visits_zero": 10,
        },
    ),
    (
        2016,
        OTHER_CITIES,
        "total",
        1,
        PROVINCE_2016,
        {
            "online_full": 50,
            "online_apply": 50,
            "online_conclude": 40,
            "visits_le1": 80,
            "visits_zero": 10,
            "mobile": 20,
        },
    ),
    (
        2016,
        OTHER_CITIES,
        "subregions",
        1,
        PROVINCE_2016,
        {
            "online_full": 35,
            "online_apply": 35,
            "online_conclude": 30,
            "visits_le1": 50,
            "visits_zero": 5,
        },
    ),
    (
        2016,
        ("440700",),
        "total",
        2,
        JIANGMEN_2016,
        {
            "online_full": 75,
            "online_apply": 65,
            "online_conclude": 60,
            "visits_le1": 85,
            "visits_zero": 30,
        },
    ),
    (
        2016,
        ("440700",),
        "departments",
        2,
        JIANGMEN_2016,
        {
            "online_full": 85,
            "online_apply": 75,
            "online_conclude": 70,
            "visits_le1": 90,
            "visits_zero": 35,
            "mobile": 45,
        },
    ),
    (
        2016,
        ("440700",),
        "subregions",
        2,
        JIANGMEN_2016,
        {
            "online_full": 70,
            "online_apply": 60,
            "online_conclude": 50,
            "visits_le1": 75,
            "visits_zero": 20,
        },
    ),
    (
        2017,
        ("445100",),
        "departments",
        2,
        CHAOZHOU_2017,
        {
            "online_full": 70,
            "online_apply": 70,
            "online_conclude": 65,
            "visits_le1": 82,
            "visits_zero": 12,
            "elicence": 10,
            "platform": 70,
            "company_page": 10,
            "citizen_page": 8,
        },
    ),
    (
        2017,
        ("445100",),
        "subregions",
        2,
        CHAOZHOU_2017,
        {
            "online_full": 60,
            "online_apply": 60,
            "online_conclude": 55,
            "visits_le1": 55,
            "visits_zero": 7,
        },
    ),
]
