# The image k8s-cronjob.yaml runs. Build the jar first (./mvnw -B package), then:
#   docker build -t ghcr.io/kvbatch/kvbatch:0.1.0 .
FROM eclipse-temurin:17-jre AS extract
WORKDIR /build
COPY target/kvbatch.jar kvbatch.jar
# Spring Boot's layers: dependencies change rarely, so a new release only ships the application layer.
RUN java -Djarmode=tools -jar kvbatch.jar extract --layers --destination extracted

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 kvbatch \
	&& useradd --system --uid 10001 --gid kvbatch --no-create-home --home-dir /data kvbatch \
	&& mkdir /data && chown kvbatch:kvbatch /data
WORKDIR /app
COPY --from=extract /build/extracted/dependencies/ ./
COPY --from=extract /build/extracted/spring-boot-loader/ ./
COPY --from=extract /build/extracted/snapshot-dependencies/ ./
COPY --from=extract /build/extracted/application/ ./
USER 10001:10001
# Without a jobs/ folder (mount one at KVBATCH_JOBS_DIR) the packing rules bundled in the jar apply.
ENV KVBATCH_DATA_DIR=/data
VOLUME /data
# Exec form: java is PID 1 and gets the SIGTERM itself, so a run stops at a chunk boundary and ends STOPPED.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/kvbatch.jar"]
CMD ["--help"]
