"""The main job: python generate.py [INPUT.xlsx] → output/ (default input data/sample.xlsx)."""

import sys

from hino_forms.cli import main

main(["generate", *(sys.argv[1:] or ["data/sample.xlsx"])])
