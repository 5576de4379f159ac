"""Run every benchmark: the search benchmark, then the webhook benchmark when that module exists."""
from __future__ import annotations

import importlib
import sys


def main() -> int:
    """Run the benchmarks in turn; the exit status is non-zero when one of them missed a target."""
    from bench import search_bench

    status = search_bench.main(sys.argv[1:]) or 0
    try:
        webhook_bench = importlib.import_module("bench.webhook_bench")
    except ModuleNotFoundError as exc:
        if exc.name != "bench.webhook_bench":
            raise
        return status
    result = webhook_bench.main()
    return status or (result if isinstance(result, int) else 0)


if __name__ == "__main__":
    raise SystemExit(main())
