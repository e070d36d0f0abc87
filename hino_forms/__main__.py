"""python -m hino_forms."""

from hino_forms.cli import main

main()
