# The healthgrid GitHub Action. Runs as root with no WORKDIR: the runner mounts the workspace at
# /github/workspace, makes it the working directory, and its file commands need root.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/app/.matplotlib

# git publishes to gh-pages. Debian's security updates replace exact versions, so pinning one
# would break rebuilds; the base image tag pins the release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# Pinned runtime dependencies first, so code changes reuse this layer.
COPY requirements/runtime.txt /app/requirements/runtime.txt
RUN pip install --no-cache-dir -r /app/requirements/runtime.txt \
    && python -c "import matplotlib.font_manager"

COPY healthgrid /app/healthgrid
COPY entrypoint.py /app/entrypoint.py
# Bytecode now, not in every fresh container the Action starts.
RUN python -m compileall -q /app/healthgrid /app/entrypoint.py

ENTRYPOINT ["python", "/app/entrypoint.py"]
