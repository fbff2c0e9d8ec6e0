ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE} AS build
# Any Debian-like image with python3 and its venv module works as the base: the
# official python images, or a bare Debian with python3 + python3-venv (no pip needed).
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY emulator ./emulator
RUN /opt/venv/bin/pip install --no-cache-dir . \
 # pip is not needed at run time.
 && /opt/venv/bin/python -m pip uninstall -y -q pip setuptools wheel \
 # The emulator reads only the cognito-idp service model; drop botocore's other ~400.
 && find /opt/venv/lib/python3*/site-packages/botocore/data -mindepth 1 -maxdepth 1 \
        -type d ! -name cognito-idp -exec rm -rf {} +

FROM ${BASE_IMAGE}
RUN groupadd --system --gid 10001 cognito \
 && useradd --system --uid 10001 --gid cognito --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin cognito \
 && mkdir -p /data /keys \
 && chown cognito:cognito /data /keys
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8 \
    COGNITO_EMULATOR_HOST=0.0.0.0 \
    COGNITO_EMULATOR_PORT=9229 \
    COGNITO_EMULATOR_DATA_DIR=/data \
    COGNITO_EMULATOR_KEYS_DIR=/keys
USER 10001:10001
WORKDIR /data
VOLUME ["/data", "/keys"]
EXPOSE 9229
# urllib, not curl (slim images have none); no proxy, whatever the environment says.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:%s/health' % os.environ.get('COGNITO_EMULATOR_PORT', '9229'), timeout=2)"]
ENTRYPOINT ["cognito-emulator"]
