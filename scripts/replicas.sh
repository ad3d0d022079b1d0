#!/usr/bin/env bash
# Serving a big room without containers: N `python app.py` replicas on 127.0.0.1 and Debian's nginx
# in front on one port, sticky by client address (deploy/nginx.conf.template; docker-compose.yml is
# the same topology). Runs in the foreground; Ctrl-C (or SIGTERM) stops everything it started.
#
#   scripts/replicas.sh [N] [PORT]          # default 2 replicas behind :7860
#   LENET_HOST=0.0.0.0 scripts/replicas.sh 4 80
#
# Replicas listen on PORT+1 .. PORT+N; every app option can be set through its environment variable
# (LENET_MODEL, LENET_COLLECT, ...). Needs nginx (apt-get install nginx); its files go in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${LENET_REPLICAS:-2}}
PORT=${2:-${LENET_PORT:-7860}}
HOST=${LENET_HOST:-127.0.0.1}
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "error: nginx not found; install it with: apt-get install nginx" >&2; exit 1; }
RUN=$(mktemp -d "${TMPDIR:-/tmp}/lenet-replicas.XXXXXX")
PIDS=()
stop() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$RUN"
}
trap stop EXIT INT TERM

UPSTREAMS=""
for i in $(seq 1 "$N"); do
  p=$((PORT + i))
  # Each replica its own Gradio file cache: cached files are named by content, shared folders clash.
  # nginx on this machine is the replicas' only peer: its X-Forwarded-For names the visitor.
  GRADIO_TEMP_DIR="$RUN/gradio-$i" GRADIO_ANALYTICS_ENABLED=False LENET_TRUSTED_PROXIES=127.0.0.1,::1 \
    "$PYTHON" app.py --host 127.0.0.1 --port "$p" >"$RUN/replica-$i.log" 2>&1 &
  PIDS+=($!)
  UPSTREAMS+="        server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"$'\n'
  echo "replica $i: pid $! on 127.0.0.1:$p (log $RUN/replica-$i.log)"
done
mkdir -p "$RUN"/{body,proxy,fastcgi,uwsgi,scgi}
printf "%s" "$UPSTREAMS" >"$RUN/upstreams"
sed -e "/^@UPSTREAMS@$/{r $RUN/upstreams" -e "d}" -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$HOST:$PORT|g" \
  deploy/nginx.conf.template >"$RUN/nginx.conf"

# Active check at start: every replica answers its page before nginx sends anyone to it.
for i in $(seq 1 "$N"); do
  p=$((PORT + i))
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$p/" 2>/dev/null && break
    kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null || { echo "error: replica $i exited:" >&2; tail -5 "$RUN/replica-$i.log" >&2; exit 1; }
    sleep 0.2
  done
done
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/nginx-health" 2>/dev/null && break; sleep 0.1; done
kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "error: nginx did not start (see above)" >&2; exit 1; }
echo "LeNet-5 app: http://$HOST:$PORT/  ($N replicas behind nginx pid ${PIDS[-1]})"
wait -n "${PIDS[@]}" || true
# A replica stopping is survivable (nginx moves its people); nginx stopping ends the run.
while kill -0 "${PIDS[-1]}" 2>/dev/null; do wait -n "${PIDS[@]}" 2>/dev/null || sleep 1; done
