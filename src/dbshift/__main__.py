import sys

from dbshift.cli.main import main

sys.exit(main())
