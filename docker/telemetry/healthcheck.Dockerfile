# syntax=docker/dockerfile:1
# The collector and Jaeger images are distroless: no shell and no HTTP client for a compose healthcheck. This adds a
# static busybox (for `wget`) to such an image, unchanged otherwise. Build arg BASE names the image to extend.
ARG BASE
FROM busybox:1.37.0-musl AS busybox
FROM ${BASE}
COPY --from=busybox /bin/busybox /busybox
