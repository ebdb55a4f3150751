#!/bin/sh
# Installs the Debian packages takt needs to build and test, skipping what is
# already there. Sourced by scripts/demo and scripts/test; needs root (or sudo)
# only when something is missing.
set -eu

takt_packages="gcc g++ make cmake pkg-config libevent-dev libsqlite3-dev libyaml-dev \
check libjansson-dev libssl-dev libncurses-dev libqrencode-dev python3 curl tzdata"

takt_missing=""
for p in $takt_packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		takt_missing="$takt_missing $p"
	fi
done

if [ -n "$takt_missing" ]; then
	echo "takt: installing Debian packages:$takt_missing" >&2
	takt_sudo=""
	[ "$(id -u)" -eq 0 ] || takt_sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$takt_sudo apt-get update -q </dev/null
	# shellcheck disable=SC2086
	$takt_sudo apt-get install -y -q --no-install-recommends $takt_missing </dev/null
fi
