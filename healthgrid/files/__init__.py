"""A grid's files, and the run's: the images (drawn by healthgrid.render), NAME.json, NAME.md, the
badge document, the grid's HTML page (a comparison's own), the status page (index.html), the embed
snippets, and Markdown fitted to GitHub's limits; `outputs.py` writes a grid's files as a set."""
