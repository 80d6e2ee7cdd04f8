"""One refresh in its own process, with a slow fake fetcher (tests/test_data_hardening.py).

Usage: python _concurrent_refresh.py CACHE_DIR DATASET NEW_ROWS SOURCE_DIR

The fetcher plays the upstream source: it reads SOURCE_DIR, a copy of the cache taken before
any refresh started (a stale view, as a real fetch would be), sleeps, and returns each series'
last row there plus NEW_ROWS business days whose every positive field is that last value times
1.001 ** k (k = 1 .. NEW_ROWS). Reading the cache itself instead made the source depend on which
process wrote first (under load a later fetcher saw an earlier refresh's rows and extended them:
28 rows where the test expects 25), and raced with the switch-and-delete of the file.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from quantlib.data.rows import PRICE_FIELDS
from quantlib.data.schema import DATASETS
from quantlib.data.store import locate, read_stored
from quantlib.data.update import refresh_dataset


def extend(old: pd.DataFrame, n_new: int, fields: list[str]) -> pd.DataFrame:
    groups = old.groupby("code", sort=True) if "code" in old else [(None, old)]
    parts = []
    for _code, g in groups:
        last = g.iloc[[-1]]
        new = pd.concat([last] * n_new, ignore_index=True)
        new["date"] = pd.bdate_range(last["date"].iloc[0] + pd.Timedelta(days=1),
                                     periods=n_new).astype("datetime64[ns]")
        growth = 1.001 ** pd.Series(range(1, n_new + 1), dtype=float)
        for f in fields:
            new[f] = float(last[f].iloc[0]) * growth
        parts += [last, new]
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    cache, name, n_new, source = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    spec = DATASETS[name]
    fields = [c for c in spec.column_names if c in PRICE_FIELDS or c in (
        "pb_median", "fin_balance_cny")]

    def fetch(dataset, start, end, progress=None):
        old = read_stored(locate(dataset, source))
        time.sleep(0.5)
        return extend(old, n_new, fields)

    result = refresh_dataset(name, cache_dir=cache, fetcher=fetch, today="2024-12-31")
    print(name, result["new_rows"])


if __name__ == "__main__":
    main()
