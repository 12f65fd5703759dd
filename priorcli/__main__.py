"""``python -m priorcli``.

A Ctrl-C that lands while the CLI is still being imported (before ``priorcli.cli`` installs its own
handler, a fraction of a second on a busy machine) ends the run the same way: one line, exit 130.
"""

import sys

try:
    from priorcli.cli import main
except KeyboardInterrupt:
    sys.stderr.write("Error: interrupted\n")
    sys.exit(130)

main()
