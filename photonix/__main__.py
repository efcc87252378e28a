"""`python -m photonix`: the same as the `photonix` command."""

import sys

from photonix.cli import main

sys.exit(main())
