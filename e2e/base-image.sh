#!/usr/bin/env bash
# Build a stand-in for docker.io/library/python:3.12-slim (no registry is reachable here):
# a minimal Debian rootfs with Python, pip (PEP 668 marker removed, as in the official image)
# and the host's extra CA certificates, so pip and apt work inside builds. Built once; reused.
set -euo pipefail
TAG=docker.io/library/python:3.12-slim
if buildah inspect --type image "$TAG" >/dev/null 2>&1; then
  echo "e2e: stand-in $TAG present (cached)"
  exit 0
fi
started=$(date +%s)
root=$(mktemp -d /var/tmp/healthgrid-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-pip,python-is-python3,ca-certificates bookworm "$root" http://deb.debian.org/debian >/dev/null
cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$root" / >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env PIP_CERT=/etc/ssl/certs/ca-certificates.crt --env LANG=C.UTF-8 --cmd python3 "$ctr"
buildah commit --quiet --rm "$ctr" "$TAG" >/dev/null
echo "e2e: built stand-in $TAG in $(( $(date +%s) - started ))s"
