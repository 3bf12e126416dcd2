# The healthgrid GitHub Action. Runs as root with no WORKDIR: the runner mounts the workspace at
# /github/workspace, makes it the working directory, and its file commands need root.
#
# Two stages, because every run of the Action pulls (or builds) this image: the first installs the
# pinned wheels and cuts what the Action never runs (test suites, type stubs, console scripts);
# the final stage copies that folder beside git and writes bytecode only for the modules the
# Action imports. docs/performance.md, "Image size", has the measurements.
FROM python:3.12-slim AS deps

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY requirements/runtime.txt /tmp/runtime.txt
# --target: one self-contained folder for the final stage; --no-compile: bytecode comes later,
# for imported modules only. datadog-api-client is ~10,000 small modules, three quarters of the
# image's files: it goes on sys.path as one zip (zipimport; it reads no data files of its own), 24 MB
# and one file instead of 48 MB in 10,000, for ~0.1 s more on the runs that import it.
RUN pip install --no-cache-dir --no-compile --target /opt/deps -r /tmp/runtime.txt \
    && rm -rf /opt/deps/bin /opt/deps/matplotlib/mpl-data/sample_data \
    && find /opt/deps -depth -type d \( -name tests -o -name __pycache__ \) -exec rm -rf {} + \
    && find /opt/deps -name '*.pyi' -delete \
    && python -m zipfile -c /opt/datadog_api_client.zip /opt/deps/datadog_api_client \
    && rm -rf /opt/deps/datadog_api_client

FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app:/opt/deps:/opt/datadog_api_client.zip \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/app/.matplotlib

# git publishes to gh-pages. Debian's security updates replace exact versions, so pinning one
# would break rebuilds; the base image tag pins the release. Manuals and translations are never read,
# and neither is perl (47 MB): git needs it only for subcommands written in perl (svn, send-email,
# ...); the plumbing healthgrid runs (ls-remote, fetch, mktree, commit-tree, push) is C. perl-base,
# which Debian itself needs, stays.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && dpkg --purge --force-depends liberror-perl perl perl-modules-5.36 libperl5.36 git-man >/dev/null \
    && git --version \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
       /usr/share/doc /usr/share/man /usr/share/locale /usr/share/info

COPY --from=deps /opt/deps /opt/deps
COPY --from=deps /opt/datadog_api_client.zip /opt/datadog_api_client.zip
COPY healthgrid /app/healthgrid
COPY entrypoint.py /app/entrypoint.py
# Bytecode now, not in every fresh container the Action starts: all of healthgrid, and of the
# dependencies whatever a demo render and the Datadog/publish paths import. Also the font cache.
RUN python -m compileall -q /app/healthgrid /app/entrypoint.py \
    && python -m healthgrid render --demo --format png,svg,html --out /tmp/warm-up >/dev/null \
    && python -c "import healthgrid.action, healthgrid.datadog.report, healthgrid.datadog.monitors, healthgrid.publish.comment, healthgrid.sources.datadog, healthgrid.publish.ghpages, healthgrid.publish.imgur, datadog_api_client.v1.api.dashboards_api, datadog_api_client.v1.api.monitors_api, datadog_api_client.v2.api.metrics_api" \
    && rm -rf /tmp/warm-up

# Bytecode written from here on would be thrown away with each container.
ENV PYTHONDONTWRITEBYTECODE=1

ENTRYPOINT ["python", "/app/entrypoint.py"]
