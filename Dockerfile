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
# Class-data sharing: a training run (an empty `run compress` on a scratch data folder) writes the classes a
# scheduled run loads to kvbatch.jsa, and every start maps them from there: about half the cold start a CronJob pays.
# An archive fits one JVM build and these exact jars, so it is made here, in the image that runs it.
RUN mkdir -p /tmp/training/jobs && cd /tmp/training \
	&& java -XX:ArchiveClassesAtExit=/app/kvbatch.jsa -jar /app/kvbatch.jar run compress \
		--kvbatch.data-dir=/tmp/training/data --kvbatch.jobs-dir=/tmp/training/jobs --kvbatch.target=local >/dev/null \
	&& test -s /app/kvbatch.jsa && rm -rf /tmp/training
USER 10001:10001
# Without a jobs/ folder (mount one at KVBATCH_JOBS_DIR) the packing rules bundled in the jar apply.
ENV KVBATCH_DATA_DIR=/data
VOLUME /data
# Exec form: java is PID 1 and gets the SIGTERM itself, so a run stops at a chunk boundary and ends STOPPED.
# -Xshare:auto starts without the archive if it cannot be mapped; the -Xlog options keep the JVM's messages off
# stdout, which carries results (same options as the kvbatch launcher).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:SharedArchiveFile=/app/kvbatch.jsa", "-Xshare:auto", \
	"-Xlog:disable", "-Xlog:all=warning:stderr", "-Xlog:cds*=off:stderr", "-jar", "/app/kvbatch.jar"]
CMD ["--help"]
