#!/bin/sh
# Run once by the postgres image when it makes its data folder (docker-entrypoint-initdb.d): lets
# the compose file's postgres-replica take a base backup and stream WAL as the veritas user
# (a superuser, so it may replicate). wal_level=replica and max_wal_senders=10 are PostgreSQL 16's defaults.
set -e
echo 'host replication veritas all scram-sha-256' >> "$PGDATA/pg_hba.conf"
