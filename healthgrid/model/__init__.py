"""The grid model: what a grid is (`grid.py`, `comparison.py`), how a value is judged (`band.py`,
`rules.py`) and how values, days and sections read in every output (`numbers.py`, `formatting.py`,
`sections.py`). It imports no other part of healthgrid: the config is read into these types, the
sources fill them, and every output reads them."""
