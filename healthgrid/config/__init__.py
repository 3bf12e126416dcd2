"""`healthgrid.yml`: the model every stage reads (model.py), reading the file (load.py), and checking
it (validate.py, with the per-value checks in checks.py and the error collection in errors.py).
The public names are re-exported here, so `from healthgrid.config import load_config, GridSpec` is
all a stage needs."""

from healthgrid.config.checks import check_year
from healthgrid.config.errors import ConfigError, ConfigErrors
from healthgrid.config.load import load_config, load_yaml, read_text
from healthgrid.config.model import (
    AGGREGATIONS,
    DEFAULT_CONFIG,
    DEFAULT_CONFIG_FILE,
    DEFAULT_PALETTE,
    GRID_TYPES,
    MAX_CONFIG_BYTES,
    MAX_DATA_BYTES,
    MAX_DAYS,
    MAX_GRIDS,
    MAX_REFRESH_SECONDS,
    MAX_ROWS,
    MAX_STALE_MINUTES,
    MAX_TEXT,
    MAX_YAML_NODES,
    NAME_RE,
    PALETTES,
    PUBLISH_TARGETS,
    Config,
    GridSpec,
    PublishSpec,
    ReportSpec,
    RowSpec,
    StatusPageSpec,
    unknown_grid,
)
from healthgrid.config.validate import parse_config

__all__ = [
    "AGGREGATIONS", "DEFAULT_CONFIG", "DEFAULT_CONFIG_FILE", "DEFAULT_PALETTE", "GRID_TYPES", "MAX_CONFIG_BYTES",
    "MAX_DATA_BYTES", "MAX_DAYS", "MAX_GRIDS", "MAX_REFRESH_SECONDS", "MAX_ROWS", "MAX_STALE_MINUTES", "MAX_TEXT", "MAX_YAML_NODES",
    "NAME_RE", "PALETTES", "PUBLISH_TARGETS", "Config", "ConfigError", "ConfigErrors", "GridSpec", "PublishSpec",
    "ReportSpec", "RowSpec", "StatusPageSpec", "check_year", "load_config", "load_yaml", "parse_config",
    "read_text", "unknown_grid",
]
