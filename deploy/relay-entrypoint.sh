#!/bin/sh
# The relay image's entrypoint: runs the command as the unprivileged user (RIDEVAULT_USER,
# default "node"). Started as that user (the image's default), it only checks that the data
# directory is writable. Started as root — what Fly.io and Railway need, since they mount
# their volumes owned by root over /data (see docs/deploy.md) — it gives the data
# directory to that user and drops to it before the relay starts: the relay never runs as
# root.
set -eu
user="${RIDEVAULT_USER:-node}"
data="${RIDEVAULT_DATA_DIR:-/data}"
if [ "$(id -u)" = "0" ]; then
  mkdir -p "$data"
  # "user:" is the user and its login group; -R also takes back files an earlier root-run
  # version left there.
  chown -R "$user:" "$data"
  exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
fi
if ! mkdir -p "$data" 2>/dev/null || [ ! -w "$data" ]; then
  echo "ridevault-relay: the data directory $data is not writable by uid $(id -u)." >&2
  echo "  Give it to that uid (chown 1000:1000 on the host) or start the container as root" >&2
  echo "  (docker run --user 0, or the RUN_AS=root build argument) so this entrypoint can." >&2
  exit 1
fi
exec "$@"
