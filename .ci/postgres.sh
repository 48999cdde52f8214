#!/usr/bin/env bash
# Makes sure PostgreSQL runs on 127.0.0.1:5432, user `postgres` can connect over TCP without a password, and the
# `test` database exists (the postgres conformance and integration tests use postgres://postgres@127.0.0.1:5432/test).
# Idempotent, and quick when everything is already in place. Meant for fresh Debian CI machines.
set -euo pipefail

HOST=127.0.0.1
DB="${EX_ESDB_TEST_DB:-test}"
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

log() { echo "postgres.sh: $*" >&2; }
ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST"; }
can_connect() { psql -h "$HOST" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; }
cluster_version() { ls /etc/postgresql | head -1; }

if ! ready; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing postgresql"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  version="$(cluster_version)"
  log "starting cluster $version/main"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
  ready || { log "PostgreSQL did not become ready on $HOST:5432"; exit 1; }
fi

if ! can_connect; then
  # Fresh installs use peer/scram auth; the tests connect as postgres over 127.0.0.1 without a password.
  version="$(cluster_version)"
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  log "allowing trust auth for postgres on $HOST in $hba"
  $SUDO sed -i "1i host all postgres $HOST/32 trust" "$hba"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 1 20); do can_connect && break; sleep 0.25; done
  can_connect || { log "cannot connect as postgres to $HOST:5432"; exit 1; }
fi

if [ "$(psql -h "$HOST" -U postgres -d postgres -Atqc "select 1 from pg_database where datname='$DB'")" != 1 ]; then
  log "creating database $DB"
  # tolerate a concurrent run having created it meanwhile
  psql -h "$HOST" -U postgres -d postgres -qc "create database \"$DB\"" >/dev/null 2>&1 ||
    [ "$(psql -h "$HOST" -U postgres -d postgres -Atqc "select 1 from pg_database where datname='$DB'")" = 1 ]
fi
log "ready: postgres://postgres@$HOST:5432/$DB"
