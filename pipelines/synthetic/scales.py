"""The three sizes of synthetic city: small for tests, city for demos, berlin for load tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    city_name: str
    population: int  # inhabitants at the start of the series
    n_areas: int  # finest areas in today's layout (after the split)
    n_bezirke: int
    n_stadtteile: int
    first_year: int
    last_year: int
    n_tiny: int  # areas below 300 inhabitants
    density: float  # inhabitants per km², sets the map size

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def split_year(self) -> int:
        """Middle year of the series: the boundary change happens on 1 January of it."""
        years = self.years
        return years[len(years) // 2]


SCALES: dict[str, Scale] = {
    "small": Scale("small", "Auenbrück", 50_000, 20, 2, 5, 2022, 2024, 2, 2_000.0),
    "city": Scale("city", "Musterstadt", 600_000, 120, 6, 24, 2019, 2024, 4, 3_000.0),
    "berlin": Scale("berlin", "Spreeburg", 3_800_000, 540, 12, 108, 2015, 2024, 8, 4_200.0),
}
