"""The Docker action's entry point: everything happens in healthgrid.action."""

from healthgrid.action import main

raise SystemExit(main())
