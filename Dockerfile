# mailflow daemon image (no demo servers, no test tools: only `pip install .`).
# Build:  docker build -t mailflow .
# Run:    see README, "Docker": /config (read-only) holds cop.toml and the roster it names,
#         the named volume /state the daemon's state (owned by uid 10001), and the secrets
#         come from a mounted file named by credentials_file (e.g. /run/secrets/mailflow).
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

WORKDIR /opt/mailflow
COPY pyproject.toml README.md ./
COPY mailflow ./mailflow
COPY templates ./templates
COPY config/cop.example.toml config/members.example.csv ./config/
RUN pip install --no-cache-dir .

USER 10001:10001
VOLUME ["/config", "/state"]
# The daemon rewrites /state/heartbeat at least once a minute; older than five minutes = unhealthy.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["mailflow", "health", "--state", "/state"]
CMD ["mailflow", "run", "--config", "/config/cop.toml"]
