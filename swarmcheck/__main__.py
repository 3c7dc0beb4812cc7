import sys

from swarmcheck.cli import main

sys.exit(main())
