"""The Docker action's entry point: everything happens in healthgrid.action."""

from healthgrid import process
from healthgrid.action import main

process.run(main)
