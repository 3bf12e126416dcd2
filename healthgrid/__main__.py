from healthgrid.cli import run

run()
