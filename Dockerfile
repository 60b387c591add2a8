# Spoke in a minimal image: a static binary on an empty base, nothing to
# download at run time. Data lives in /data (mount a volume there).
#   docker build -t spoke .
#   docker run -p 8080:8080 -v spoke-data:/data -e SPOKE_ACCESS_TOKEN=dev-token spoke
# The image has no shell or curl: its health check is the binary's own
# "spoke health", which asks GET /_spoke/health on SPOKE_ADDR's port.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/spoke ./cmd/spoke \
 && mkdir -p /out/data

FROM scratch
COPY --from=build /out/spoke /spoke
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
EXPOSE 8080
ENV SPOKE_ADDR=0.0.0.0:8080 SPOKE_DB=/data/spoke.db
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["/spoke", "health"]
ENTRYPOINT ["/spoke"]
CMD ["serve"]
