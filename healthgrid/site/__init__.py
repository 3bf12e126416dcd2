"""The published site: what a grid's files are called (`names.py`), which paths a site may hold
(`paths.py`), the URLs files are served at (`urls.py`), and where a publish goes and which publish
options are refused before any work (`target.py`). Only names, paths and URLs: nothing here
reads the config or publishes, so the config, the publishers and the dashboard all read it."""
