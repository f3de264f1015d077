# mailflow daemon image (no demo servers, no test tools, no compiler: only `pip install .`).
# Build:  docker build -t mailflow .
# Run:    see README, "Docker": /config (read-only) holds cop.toml and the roster it names,
#         the named volume /state the daemon's state (owned by uid 10001), and the secrets
#         come from a mounted file named by credentials_file (e.g. /run/secrets/mailflow).
# The build stage compiles the reply reader to C (mypyc, see setup.py) and installs mailflow into a venv;
# the image gets that venv and no compiler.
FROM python:3.11-slim AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/* \
 && python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /opt/mailflow
COPY pyproject.toml setup.py README.md ./
COPY mailflow ./mailflow
COPY templates ./templates
COPY config/cop.example.toml config/members.example.csv ./config/
# the replies the reader's profile-guided build trains on (setup.py; only the compiled reader leaves this stage)
COPY scripts/reader_training.py ./scripts/
COPY tests/probe_cases ./tests/probe_cases
COPY tests/replies/train ./tests/replies/train
COPY tests/messages ./tests/messages
# MAILFLOW_COMPILE=1: a reader that cannot be compiled fails the build rather than ship slower
RUN MAILFLOW_COMPILE=1 pip install --no-cache-dir .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MAILFLOW_CONFIG=/config/cop.toml

# The service user: uid/gid 10001, no shell, no home of its own. /state must be writable by it
# (a named volume takes this owner and mode on first use; a bind mount needs chown 10001:10001).
RUN groupadd --system --gid 10001 mailflow \
 && useradd --system --uid 10001 --gid 10001 --home-dir /state --no-create-home \
            --shell /usr/sbin/nologin mailflow \
 && mkdir -p /config /state \
 && chown 10001:10001 /state \
 && chmod 0700 /state

COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

USER 10001:10001
VOLUME ["/config", "/state"]
# The daemon rewrites /state/heartbeat at least once a minute; older than five minutes = unhealthy.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["mailflow", "health", "--state", "/state"]
CMD ["mailflow", "run", "--config", "/config/cop.toml"]
