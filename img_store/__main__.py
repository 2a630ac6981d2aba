"""Store maintenance, on the database chosen by the TRACKER_* variables.

python -m img_store migrate            # upgrade the schema (make migrate)
python -m img_store check              # exit 1 if the schema is behind
python -m img_store purge [--days N]   # delete profiles unused for N days (make purge), and
                                       # webhook message ids older than any retry
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import OperationalError

from img_store import migrations
from img_store.deliveries import DeliveryLedger
from img_store.profiles import (
    DEFAULT_RETENTION_DAYS,
    SchemaBehindError,
    make_engine,
    open_profile_store,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m img_store", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the schema to the latest revision")
    sub.add_parser("check", help="exit 1 if the schema is behind")
    purge = sub.add_parser("purge", help="delete profiles not used for --days days")
    purge.add_argument("--days", type=int, default=DEFAULT_RETENTION_DAYS)
    args = parser.parse_args(argv)

    engine = make_engine()
    where = engine.url.render_as_string(hide_password=True)
    try:
        if args.command == "migrate":
            migrations.upgrade(engine)
            print(f"schema at {migrations.current_revision(engine)} on {where}")
            return 0
        store = open_profile_store()
    except SchemaBehindError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        print(f"error: cannot reach the database {where}: {reason}", file=sys.stderr)
        return 1
    if args.command == "check":
        print(f"schema is current on {where}")
        return 0
    removed = store.purge_unused(args.days)
    print(f"purged {removed} profile(s) unused for {args.days} days on {where}")
    expired = DeliveryLedger(store.engine).purge()
    print(f"purged {expired} webhook message id(s) past the retry window")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
