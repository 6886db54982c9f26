# egov-align's dashboard for a government server: `docker build -t egov-align .` then
#   docker run -p 8501:8501 -v /srv/models/national:/model:ro egov-align
# The model is mounted read-only at /model; see docs/deploy.md for login, HTTPS and replicas.
FROM python:3.12-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/egov-align
COPY pyproject.toml README.md ./
COPY egov_align ./egov_align
RUN pip install --no-cache-dir . \
    && useradd --system --create-home --home-dir /home/egov egov \
    && mkdir -p /model && chown egov /model

USER egov
ENV HOME=/home/egov \
    XDG_CACHE_HOME=/home/egov/.cache \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /model
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"
# Options after the image name are added: --require-login, --allow-directories /srv/models ...
ENTRYPOINT ["egov-align", "dashboard", "--model", "/model", "--port", "8501", "--address", "0.0.0.0", "--headless"]
