"""The GitHub Action's face: its inputs (inputs.py) become a `healthgrid run` (run.py), and the run
its outputs, job summary (summary.py), annotations and pull-request comment. The Docker entry
point calls `main`."""

from healthgrid.action.run import main

__all__ = ["main"]
