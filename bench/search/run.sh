#!/bin/sh
# Search benchmark: queries/s, p50 and p99 over 100,000 generated messages, a worst-case
# corpus (the demo's 90 words, uniformly) and a realistic one (Zipf over Debian's German word
# list, the demo's words mixed in), on SQLite and PostgreSQL (127.0.0.1:5432, db test).
#   bench/search/run.sh                      # 100,000 messages, 500 queries per run
#   ZIRKEL_BENCH_CORPUS=20000 bench/search/run.sh
# The realistic corpus needs /usr/share/dict/ngerman (Debian package wngerman) or
# ZIRKEL_WORDLIST; this script installs wngerman when it is missing and it may.
set -eu
cd "$(dirname "$0")/../.."
list="${ZIRKEL_WORDLIST:-/usr/share/dict/ngerman}"
if [ ! -r "$list" ]; then
	echo "installing wngerman for $list" >&2
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y wngerman >&2
	else
		sudo apt-get install -y wngerman >&2
	fi
fi
exec go test ./server/search -run '^$' -bench '^BenchmarkSearch$' -benchtime "${BENCHTIME:-500x}" -timeout 90m -v "$@"
