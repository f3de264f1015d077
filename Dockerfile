# mailflow daemon image. Build: docker build -t mailflow .
# Run:   docker run -v "$PWD/config:/config:ro" -v mailflow-state:/state \
#          -e MAILFLOW_PASSWORD -e MAILFLOW_SECRET mailflow
# /config holds cop.toml and the roster it names; set [state] dir = "/state" in cop.toml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MAILFLOW_CONFIG=/config/cop.toml

RUN groupadd --system --gid 10001 mailflow \
 && useradd --system --uid 10001 --gid mailflow --home-dir /state --no-create-home mailflow \
 && mkdir -p /config /state \
 && chown mailflow:mailflow /state \
 && chmod 0700 /state

WORKDIR /opt/mailflow
COPY pyproject.toml README.md ./
COPY mailflow ./mailflow
COPY templates ./templates
COPY config ./config
RUN pip install .

USER mailflow
VOLUME ["/config", "/state"]
CMD ["mailflow", "run", "--config", "/config/cop.toml"]
