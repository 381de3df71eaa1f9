#!/usr/bin/env bash
# Stops a server started by tests/start-server.sh (reads TOLLGATE_SERVER_PID and TOLLGATE_SERVER_DIR) and removes its folder.
# With --log it prints the server's log first, for a failed run.
set -uo pipefail
if [ "${1:-}" = "--log" ] && [ -f "${TOLLGATE_SERVER_DIR:-}/server.log" ]; then cat "$TOLLGATE_SERVER_DIR/server.log" >&2; fi
[ -n "${TOLLGATE_SERVER_PID:-}" ] && kill "$TOLLGATE_SERVER_PID" 2>/dev/null && wait "$TOLLGATE_SERVER_PID" 2>/dev/null
[ -n "${TOLLGATE_SERVER_DIR:-}" ] && rm -rf "$TOLLGATE_SERVER_DIR"
exit 0
