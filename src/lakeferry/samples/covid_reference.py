"""Fixed reference data for the covid sample: states, county names, countries, places.

Everything here is a constant; the generator combines it with a seed. State FIPS codes,
USPS abbreviations and names are real; the centroids are approximate; ``counties`` is the
real number of counties (or equivalents) in the state, which the generator divides down.
"""

from __future__ import annotations

from typing import NamedTuple


class State(NamedTuple):
    """A US state (or DC) with its real codes and an approximate centroid."""

    fips: int
    abbr: str
    name: str
    lat: float
    lon: float
    counties: int


STATES: tuple[State, ...] = (
    State(1, "AL", "Alabama", 32.8, -86.8, 67),
    State(2, "AK", "Alaska", 64.2, -152.5, 29),
    State(4, "AZ", "Arizona", 34.3, -111.7, 15),
    State(5, "AR", "Arkansas", 34.9, -92.4, 75),
    State(6, "CA", "California", 37.2, -119.5, 58),
    State(8, "CO", "Colorado", 39.0, -105.5, 64),
    State(9, "CT", "Connecticut", 41.6, -72.7, 8),
    State(10, "DE", "Delaware", 39.0, -75.5, 3),
    State(11, "DC", "District of Columbia", 38.9, -77.0, 1),
    State(12, "FL", "Florida", 28.6, -82.4, 67),
    State(13, "GA", "Georgia", 32.7, -83.4, 159),
    State(15, "HI", "Hawaii", 20.8, -156.3, 5),
    State(16, "ID", "Idaho", 44.4, -114.6, 44),
    State(17, "IL", "Illinois", 40.0, -89.2, 102),
    State(18, "IN", "Indiana", 39.9, -86.3, 92),
    State(19, "IA", "Iowa", 42.1, -93.5, 99),
    State(20, "KS", "Kansas", 38.5, -98.4, 105),
    State(21, "KY", "Kentucky", 37.5, -85.3, 120),
    State(22, "LA", "Louisiana", 31.1, -92.0, 64),
    State(23, "ME", "Maine", 45.4, -69.2, 16),
    State(24, "MD", "Maryland", 39.0, -76.8, 24),
    State(25, "MA", "Massachusetts", 42.3, -71.8, 14),
    State(26, "MI", "Michigan", 44.3, -85.4, 83),
    State(27, "MN", "Minnesota", 46.3, -94.3, 87),
    State(28, "MS", "Mississippi", 32.7, -89.7, 82),
    State(29, "MO", "Missouri", 38.4, -92.5, 115),
    State(30, "MT", "Montana", 47.0, -109.6, 56),
    State(31, "NE", "Nebraska", 41.5, -99.8, 93),
    State(32, "NV", "Nevada", 39.3, -116.6, 17),
    State(33, "NH", "New Hampshire", 43.7, -71.6, 10),
    State(34, "NJ", "New Jersey", 40.2, -74.7, 21),
    State(35, "NM", "New Mexico", 34.4, -106.1, 33),
    State(36, "NY", "New York", 42.9, -75.5, 62),
    State(37, "NC", "North Carolina", 35.6, -79.4, 100),
    State(38, "ND", "North Dakota", 47.5, -100.5, 53),
    State(39, "OH", "Ohio", 40.3, -82.8, 88),
    State(40, "OK", "Oklahoma", 35.6, -97.5, 77),
    State(41, "OR", "Oregon", 43.9, -120.6, 36),
    State(42, "PA", "Pennsylvania", 40.9, -77.8, 67),
    State(44, "RI", "Rhode Island", 41.7, -71.5, 5),
    State(45, "SC", "South Carolina", 33.9, -80.9, 46),
    State(46, "SD", "South Dakota", 44.4, -100.2, 66),
    State(47, "TN", "Tennessee", 35.9, -86.4, 95),
    State(48, "TX", "Texas", 31.5, -99.3, 254),
    State(49, "UT", "Utah", 39.3, -111.7, 29),
    State(50, "VT", "Vermont", 44.1, -72.7, 14),
    State(51, "VA", "Virginia", 37.5, -78.9, 133),
    State(53, "WA", "Washington", 47.4, -120.5, 39),
    State(54, "WV", "West Virginia", 38.6, -80.6, 55),
    State(55, "WI", "Wisconsin", 44.6, -89.9, 72),
    State(56, "WY", "Wyoming", 43.0, -107.5, 23),
)

# Common US county names; the generator appends " 2", " 3", … once a state runs out.
COUNTY_NAMES: tuple[str, ...] = (
    "Adams", "Baker", "Benton", "Boone", "Brown", "Butler", "Calhoun", "Carroll", "Cass",
    "Clark", "Clay", "Clinton", "Crawford", "Cumberland", "Dallas", "Decatur", "Douglas",
    "Fayette", "Franklin", "Fulton", "Grant", "Greene", "Hamilton", "Hancock", "Harrison",
    "Henry", "Jackson", "Jasper", "Jefferson", "Johnson", "Knox", "Lake", "Lawrence", "Lee",
    "Lincoln", "Logan", "Madison", "Marion", "Marshall", "Monroe", "Montgomery", "Morgan",
    "Perry", "Pike", "Polk", "Putnam", "Randolph", "Scott", "Shelby", "Union", "Warren",
    "Washington", "Wayne", "Wilson",
)  # fmt: skip

# What the census calls a county in states that do not have counties.
COUNTY_SUFFIX: dict[str, str] = {"LA": "Parish", "AK": "Borough"}

CITY_NAMES: tuple[str, ...] = (
    "Springfield", "Riverside", "Fairview", "Georgetown", "Salem", "Greenville", "Bristol",
    "Oakland", "Kingston", "Milton", "Ashland", "Dover", "Newport", "Clayton", "Auburn",
)  # fmt: skip

STREETS: tuple[str, ...] = (
    "Main St", "Hospital Dr", "Medical Center Blvd", "Oak Ave", "Park Rd", "N Broad St",
    "Health Pkwy", "W 4th St",
)  # fmt: skip

HOSPITAL_TYPES: tuple[str, ...] = (
    "Short Term Acute Care Hospital",
    "Critical Access Hospital",
    "Psychiatric Hospital",
    "Long Term Acute Care Hospital",
    "VA Hospital",
    "Children's Hospital",
    "Rehabilitation Hospital",
)

# Name patterns: one has an apostrophe, one a comma, so writers must quote.
HOSPITAL_NAME_PATTERNS: tuple[str, ...] = (
    "{county} County Medical Center",
    "{city} Regional Hospital",
    "St. Mary's Hospital of {city}",
    "{county} Memorial Hospital, Inc.",
)


class Country(NamedTuple):
    """A CountryCodeQS row."""

    name: str
    alpha2: str
    alpha3: str
    numeric: int
    lat: float
    lon: float


COUNTRIES: tuple[Country, ...] = (
    Country("Argentina", "AR", "ARG", 32, -34.0, -64.0),
    Country("Australia", "AU", "AUS", 36, -27.0, 133.0),
    Country("Austria", "AT", "AUT", 40, 47.3333, 13.3333),
    Country("Belgium", "BE", "BEL", 56, 50.8333, 4.0),
    Country("Bolivia, Plurinational State of", "BO", "BOL", 68, -17.0, -65.0),
    Country("Brazil", "BR", "BRA", 76, -10.0, -55.0),
    Country("Canada", "CA", "CAN", 124, 60.0, -95.0),
    Country("Chile", "CL", "CHL", 152, -30.0, -71.0),
    Country("China", "CN", "CHN", 156, 35.0, 105.0),
    Country("Colombia", "CO", "COL", 170, 4.0, -72.0),
    Country("Denmark", "DK", "DNK", 208, 56.0, 10.0),
    Country("Egypt", "EG", "EGY", 818, 27.0, 30.0),
    Country("France", "FR", "FRA", 250, 46.0, 2.0),
    Country("Germany", "DE", "DEU", 276, 51.0, 9.0),
    Country("Greece", "GR", "GRC", 300, 39.0, 22.0),
    Country("India", "IN", "IND", 356, 20.0, 77.0),
    Country("Iran, Islamic Republic of", "IR", "IRN", 364, 32.0, 53.0),
    Country("Ireland", "IE", "IRL", 372, 53.0, -8.0),
    Country("Israel", "IL", "ISR", 376, 31.5, 34.75),
    Country("Italy", "IT", "ITA", 380, 42.8333, 12.8333),
    Country("Japan", "JP", "JPN", 392, 36.0, 138.0),
    Country("Korea, Republic of", "KR", "KOR", 410, 37.0, 127.5),
    Country("Mexico", "MX", "MEX", 484, 23.0, -102.0),
    Country("Netherlands", "NL", "NLD", 528, 52.5, 5.75),
    Country("New Zealand", "NZ", "NZL", 554, -41.0, 174.0),
    Country("Nigeria", "NG", "NGA", 566, 10.0, 8.0),
    Country("Norway", "NO", "NOR", 578, 62.0, 10.0),
    Country("Peru", "PE", "PER", 604, -10.0, -76.0),
    Country("Poland", "PL", "POL", 616, 52.0, 20.0),
    Country("Portugal", "PT", "PRT", 620, 39.5, -8.0),
    Country("Russian Federation", "RU", "RUS", 643, 60.0, 100.0),
    Country("South Africa", "ZA", "ZAF", 710, -29.0, 24.0),
    Country("Spain", "ES", "ESP", 724, 40.0, -4.0),
    Country("Sweden", "SE", "SWE", 752, 62.0, 15.0),
    Country("Switzerland", "CH", "CHE", 756, 47.0, 8.0),
    Country("Turkey", "TR", "TUR", 792, 39.0, 35.0),
    Country("United Kingdom", "GB", "GBR", 826, 54.0, -2.0),
    Country("United States", "US", "USA", 840, 38.0, -97.0),
    Country("Viet Nam", "VN", "VNM", 704, 16.0, 106.0),
)


class Place(NamedTuple):
    """A non-US Enigma-JHU location; ``size`` is its final confirmed count."""

    province: str | None
    country: str
    lat: float
    lon: float
    size: int


NON_US_PLACES: tuple[Place, ...] = (
    Place("Ontario", "Canada", 51.2538, -85.3232, 310_000),
    Place("Quebec", "Canada", 52.9399, -73.5491, 290_000),
    Place("British Columbia", "Canada", 53.7267, -127.6476, 85_000),
    Place(None, "Italy", 41.87194, 12.56738, 3_000_000),
    Place(None, "Spain", 40.463667, -3.74922, 3_100_000),
    Place(None, "Germany", 51.165691, 10.451526, 2_500_000),
    Place("Hubei", "China", 30.9756, 112.2707, 68_000),
    Place("New South Wales", "Australia", -33.8688, 151.2093, 5_200),
    Place(None, "Korea, South", 35.907757, 127.766922, 92_000),
    Place(None, "Brazil", -14.235, -51.9253, 11_000_000),
    Place("Bonaire, Sint Eustatius and Saba", "Netherlands", 12.1784, -68.2385, 1_600),
)
