"""The main job: python generate.py [INPUT.xlsx] [options] → output/ (default input data/sample.xlsx)."""

import sys

from hino_forms.cli import main

args = sys.argv[1:]
if not args or args[0].startswith("-"):  # no input named: the fictional sample
    args = ["data/sample.xlsx", *args]
main(["generate", *args])
