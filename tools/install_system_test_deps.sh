#!/usr/bin/env bash
# Debian packages that the browser test (chromium, chromium-driver) and the PostgreSQL test
# (postgresql: initdb, pg_ctl) need. `make test` calls this; it installs what is missing when
# apt-get can run (as root or with password-less sudo) and otherwise says which tests will be
# skipped. It never fails the test command: those tests skip with a reason instead.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || command -v pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

skip_note() { echo "note: not installed: ${missing[*]} ($1); the browser/PostgreSQL tests that need them will be skipped"; exit 0; }
command -v apt-get >/dev/null 2>&1 || skip_note "no apt-get on this machine"
as_root=()
if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || skip_note "apt-get needs root"
    as_root=(sudo -n)
fi
echo "installing Debian packages for the browser and PostgreSQL tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! timeout 900 "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/schedlab-apt.log 2>&1; then
    timeout 600 "${as_root[@]}" apt-get update -q >>/tmp/schedlab-apt.log 2>&1
    timeout 900 "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/schedlab-apt.log 2>&1 \
        || skip_note "apt-get failed, see /tmp/schedlab-apt.log"
fi
echo "installed: ${missing[*]}"
