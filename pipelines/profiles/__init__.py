"""Source profiles (Quellprofile): declarative descriptions of a city's own export formats
that map them onto the canonical deliveries (docs: profiles/README.md).

    load_profile(path) -> Profile                       validated, German ProfileError
    discover_profiled(landing, config) -> ProfiledDiscovery   (.files, .refused, .claimed)
    real_landing(city, out) -> Path                     berlin | hamburg, real public files
    city_config(city) -> Path                           profiles/stadt_<city>.yaml
"""

from pipelines.profiles.canonical import ProfiledTable, split_by_margin
from pipelines.profiles.kinds import (
    ProfiledDiscovery,
    ProfiledEinwohner,
    ProfiledSgb2,
    canonical_frame,
    discover_profiled,
    profile_period,
)
from pipelines.profiles.reference import city_config, real_landing
from pipelines.profiles.schema import (
    PROFILES_DIR,
    Profile,
    ProfileError,
    indicator_age_cuts,
    load_profile,
    parse_profile,
)

__all__ = [
    "PROFILES_DIR",
    "Profile",
    "ProfileError",
    "ProfiledDiscovery",
    "ProfiledEinwohner",
    "ProfiledSgb2",
    "ProfiledTable",
    "canonical_frame",
    "city_config",
    "discover_profiled",
    "indicator_age_cuts",
    "load_profile",
    "parse_profile",
    "profile_period",
    "real_landing",
    "split_by_margin",
]
