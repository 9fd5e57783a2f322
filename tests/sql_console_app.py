"""A page holding only the SQL console: the AppTest target of tests/test_sqlconsole.py (the warehouse is $WAREHOUSE_PATH)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui import sql_console  # noqa: E402  (after the path line above)

sql_console.render()
