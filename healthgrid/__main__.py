from healthgrid.cli import main

raise SystemExit(main())
