#!/usr/bin/env bash
# Local Neo4j 5.26 Community server (embedded in a small JVM launcher, Bolt only).
#
#   bash scripts/neo4j.sh start    build if needed, start in background, wait until ready
#   bash scripts/neo4j.sh stop     SIGTERM (clean shutdown), SIGKILL after 30 s
#   bash scripts/neo4j.sh status   prints "running ..." or "stopped"
#   bash scripts/neo4j.sh restart  stop then start
#   bash scripts/neo4j.sh reset    stop and delete the database files
#   bash scripts/neo4j.sh build    (re)build the cached classpath only
#
# Auth is DISABLED: connect to bolt://127.0.0.1:7687 with any basic-auth
# credentials (NEO4J_USER=neo4j NEO4J_PASSWORD=neo4j-password works).
#
# Everything lives under <repo>/.neo4j (git-ignored):
#   lib/ build/classes/  classpath + compiled launcher (Maven runs only when missing
#                        or when scripts/neo4j/{pom.xml,src} changed)
#   data/                database home ($NEO4J_DATA_DIR overrides)
#   neo4j.pid neo4j.log  pid file and log (previous log kept as neo4j.log.1)
#
# Environment: NEO4J_PORT (7687), NEO4J_HOST (127.0.0.1), NEO4J_DATA_DIR,
# NEO4J_HEAP (2g), NEO4J_PAGECACHE (1g), NEO4J_START_TIMEOUT (90 s).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/neo4j"
CACHE="$ROOT/.neo4j"
LIB="$CACHE/lib"
CLASSES="$CACHE/build/classes"
STAMP="$CACHE/build.stamp"
PID_FILE="$CACHE/neo4j.pid"
LOG="$CACHE/neo4j.log"
DATA_DIR="${NEO4J_DATA_DIR:-$CACHE/data}"
HOST="${NEO4J_HOST:-127.0.0.1}"
PORT="${NEO4J_PORT:-7687}"
HEAP="${NEO4J_HEAP:-2g}"
PAGECACHE="${NEO4J_PAGECACHE:-1g}"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-90}"
STOP_TIMEOUT=30
MAIN_CLASS="kos.Neo4jServer"

log() { echo "[neo4j] $*"; }
die() { echo "[neo4j] ERROR: $*" >&2; exit 1; }

# Fingerprint of the launcher sources: the cache is reused while it matches.
source_hash() {
  (cd "$SRC" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1
}

cache_ok() {
  [[ -f "$STAMP" && -f "$CLASSES/kos/Neo4jServer.class" ]] \
    && compgen -G "$LIB/neo4j-bolt-*.jar" >/dev/null \
    && [[ "$(cat "$STAMP")" == "$(source_hash)" ]]
}

build() {
  if cache_ok; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to build the cache)"
  command -v java >/dev/null || die "java not found (Java 17+ required)"
  log "building launcher + classpath into $CACHE (Maven, first run only)..."
  local t0=$SECONDS
  rm -rf "$LIB" "$CACHE/build" "$STAMP"
  mkdir -p "$CACHE"
  if ! mvn -B -q -f "$SRC/pom.xml" -Dkos.cache.dir="$CACHE" compile >"$CACHE/build.log" 2>&1; then
    tail -n 40 "$CACHE/build.log" >&2
    die "Maven build failed (full log: $CACHE/build.log)"
  fi
  source_hash >"$STAMP"
  log "build done in $((SECONDS - t0)) s ($(ls "$LIB" | wc -l) jars)"
}

read_pid() {
  [[ -f "$PID_FILE" ]] && cat "$PID_FILE" 2>/dev/null || true
}

# True when the pid is alive and is our launcher (guards against pid reuse).
pid_alive() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS"
}

# "<dataDir> <host> <port>" the running launcher was started with (its last 3 args).
pid_target() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | tail -n 3 | paste -sd' ' -
}

port_open() {
  (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

ready_in_log() {
  [[ -f "$LOG" ]] && grep -q '^NEO4J READY' "$LOG"
}

wait_ready() {
  local pid="$1" t0="$2"
  while true; do
    # plain kill -0: right after the fork /proc/<pid>/cmdline is still bash's
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "----- tail $LOG -----" >&2
      tail -n 60 "$LOG" >&2 || true
      rm -f "$PID_FILE"
      die "Neo4j exited during startup"
    fi
    if ready_in_log && port_open; then
      return 0
    fi
    if (($(date +%s) - t0 >= START_TIMEOUT)); then
      echo "----- tail $LOG -----" >&2
      tail -n 60 "$LOG" >&2 || true
      die "Neo4j not ready after ${START_TIMEOUT} s (pid $pid still running; 'bash scripts/neo4j.sh stop' to kill it)"
    fi
    sleep 0.5
  done
}

start() {
  local t0 pid
  t0=$(date +%s)
  pid="$(read_pid)"
  if pid_alive "$pid"; then
    local target
    target="$(pid_target "$pid")"
    if [[ "$target" != "$DATA_DIR $HOST $PORT" ]]; then
      die "another instance is running (pid $pid, data/host/port: $target); stop it first"
    fi
    if port_open && ready_in_log; then
      log "already running (pid $pid, bolt://$HOST:$PORT)"
      return 0
    fi
    log "already starting (pid $pid), waiting..."
    wait_ready "$pid" "$t0"
    log "ready: bolt://$HOST:$PORT (pid $pid)"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open; then
    die "port $HOST:$PORT is already in use by another process (set NEO4J_PORT to use another)"
  fi

  build
  mkdir -p "$DATA_DIR"
  [[ -f "$LOG" ]] && mv -f "$LOG" "$LOG.1"

  # --add-opens / netty flag: same as the Neo4j server's own launcher; they let
  # Netty and the page cache use direct buffers without illegal-access warnings.
  nohup java \
    -Xms256m "-Xmx$HEAP" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
    -Djdk.nio.maxCachedBufferSize=1024 \
    -Dio.netty.tryReflectionSetAccessible=true \
    -Dlog4j2.disable.jmx=true \
    -Dkos.pagecache="$PAGECACHE" \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens=java.base/java.lang=ALL-UNNAMED \
    -cp "$CLASSES:$LIB/*" "$MAIN_CLASS" "$DATA_DIR" "$HOST" "$PORT" \
    >"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "starting (pid $pid, data $DATA_DIR, log $LOG)..."
  wait_ready "$pid" "$t0"
  log "ready: bolt://$HOST:$PORT (pid $pid) in $(($(date +%s) - t0)) s"
}

stop() {
  local pid
  pid="$(read_pid)"
  if ! pid_alive "$pid"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)..."
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
    pid_alive "$pid" || break
    sleep 0.25
  done
  if pid_alive "$pid"; then
    log "still running after ${STOP_TIMEOUT} s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  local pid
  pid="$(read_pid)"
  if pid_alive "$pid"; then
    local -a t
    mapfile -t t < <(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | tail -n 3)
    if HOST="${t[1]:-$HOST}" PORT="${t[2]:-$PORT}" port_open && ready_in_log; then
      echo "running (pid $pid, bolt://${t[1]:-?}:${t[2]:-?}, data ${t[0]:-?})"
    else
      echo "starting (pid $pid)"
    fi
  else
    echo "stopped"
  fi
}

reset() {
  stop
  rm -rf "$DATA_DIR"
  log "deleted $DATA_DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  reset) reset ;;
  build) build; log "cache ok: $CACHE" ;;
  *)
    echo "usage: bash scripts/neo4j.sh {start|stop|status|restart|reset|build}" >&2
    exit 2
    ;;
esac
