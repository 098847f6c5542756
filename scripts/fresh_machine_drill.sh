#!/usr/bin/env bash
# The fresh-machine drill (issue 12 point 2): the README's two commands on a Debian that has
# nothing — a minimal bookworm (debootstrap --variant=minbase: no Python, no PostgreSQL, no Redis,
# no Node.js, no browser) — run by a normal user with sudo, in a network namespace of its own so
# that the machine's own PostgreSQL and Redis on 127.0.0.1 are not seen.
#
#   sudo bash scripts/fresh_machine_drill.sh [WORKDIR]   (default /var/tmp/elip-fresh)
#
# Needs root, debootstrap, iproute2 and iptables, and the Debian and PyPI registries. Steps:
#   1. debootstrap bookworm (minbase + make, sudo, git, ca-certificates, curl, procps);
#   2. a user "kees" with sudo, a clone of this repository in his home;
#   3. as kees: `make demo` until the portal answers on 127.0.0.1:8000 (then stopped);
#   4. as kees: `make test` with a cross-section of the suite (a real Celery worker, health,
#      single sign-on against the real OpenID Provider in Chromium, a browser flow, gunicorn with
#      the production settings) — what matters here is that make installed and started
#      everything it needs; the whole suite runs in CI.
# Prints the time of each step; docs/operations.md "Fresh machine" records a run.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-/var/tmp/elip-fresh}"
ROOT="$WORK/root"
NS=elipfresh
TESTS="${DRILL_TESTS:--p no:randomly tests/elip/test_worker_integration.py tests/elip/test_health.py tests/e2e/test_sso.py tests/e2e/test_routes_flow.py tests/pib/test_production_serving.py}"
mkdir -p "$WORK"
if [ ! -x "$ROOT/usr/bin/make" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --variant=minbase --include=make,sudo,ca-certificates,git,procps,curl bookworm "$ROOT" \
    http://deb.debian.org/debian
fi
# A network namespace with NAT to the registries; its own loopback.
if ! ip netns list | grep -qw "$NS"; then
  ip netns add "$NS"
  ip link add "${NS}0" type veth peer name "${NS}1"
  ip link set "${NS}1" netns "$NS"
  ip addr add 10.201.0.1/24 dev "${NS}0" && ip link set "${NS}0" up
  ip netns exec "$NS" ip addr add 10.201.0.2/24 dev "${NS}1"
  ip netns exec "$NS" ip link set "${NS}1" up
  ip netns exec "$NS" ip link set lo up
  ip netns exec "$NS" ip route add default via 10.201.0.1
  sysctl -qw net.ipv4.ip_forward=1
  iptables -t nat -A POSTROUTING -s 10.201.0.0/24 -o "$(ip route | awk '/default/ {print $5; exit}')" -j MASQUERADE
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# A machine behind a TLS-inspecting egress proxy trusts its CA; the drill's Debian must too.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  chroot "$ROOT" update-ca-certificates >/dev/null
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$ROOT/etc/pip.conf"
fi
for m in proc sys dev dev/pts; do mountpoint -q "$ROOT/$m" || mount --bind "/$m" "$ROOT/$m"; done
mountpoint -q "$ROOT/dev/shm" || mount -t tmpfs tmpfs "$ROOT/dev/shm"
chroot "$ROOT" bash -c 'id kees >/dev/null 2>&1 || { useradd -m -s /bin/bash kees; echo "kees ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/kees; }'
rm -rf "$ROOT/home/kees/elip"
git clone -q "$HERE" "$ROOT/home/kees/elip"
chroot "$ROOT" chown -R kees:kees /home/kees/elip
as_kees() { ip netns exec "$NS" chroot "$ROOT" su - kees -c "cd ~/elip && $1"; }

echo "== make demo (as kees, with sudo)"
start=$(date +%s)
as_kees "make demo" >"$WORK/demo.log" 2>&1 &
demo=$!
until ip netns exec "$NS" curl -sf -o /dev/null http://127.0.0.1:8000/inloggen/; do
  kill -0 "$demo" 2>/dev/null || { tail -30 "$WORK/demo.log"; echo "make demo failed"; exit 1; }
  sleep 5
done
echo "portal answers after $(($(date +%s) - start)) s (log: $WORK/demo.log)"
pkill -f "manage.py runserver 127.0.0.1:8000" || true
wait "$demo" || true

echo "== make test (as kees, with sudo): $TESTS"
start=$(date +%s)
as_kees "make test PYTEST_ARGS='$TESTS'" 2>&1 | tee "$WORK/test.log" | grep -E "Installing|passed|failed|error" || true
echo "make test took $(($(date +%s) - start)) s (log: $WORK/test.log)"
grep -qE "[0-9]+ passed" "$WORK/test.log" && ! grep -qE "[0-9]+ (failed|error)" "$WORK/test.log"
