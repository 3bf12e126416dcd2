"""Everything that speaks Datadog: the query grammar a row's `query:` is written in (`formula.py`),
the client with bounded retries (`client.py`), the run's report (`report.py`: gauges and image
widgets repointed), the monitors that watch the grids (`monitors.py`), image-widget JSON
(`widget.py`) and the `healthgrid dashboard` command (`dashboard/`).

The config reads its query grammar from here, so nothing here imports the config: the dashboard
reads a grid's spec and rows (the config's GridSpec and RowSpec) by their fields."""
