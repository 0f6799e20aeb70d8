#!/bin/sh
# One benchmark from a fresh clone: bench/run.sh a|b1|b2|b3|b4|b5|dask|same [--repeat N] [--sizes N M]
set -e
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/kanaalmonitor ]; then
    python3 -m venv .venv
    .venv/bin/pip install -q -e .
fi
if [ "$1" = dask ] && ! .venv/bin/python -c "import prefect_dask" 2>/dev/null; then
    .venv/bin/pip install -q -e '.[dask]'
fi
exec .venv/bin/python bench/bench.py "$@"
