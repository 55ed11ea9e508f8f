# The image k8s-cronjob.yaml runs. Build the jar first (./mvnw -B package), then:
#   docker build -t ghcr.io/kvbatch/kvbatch:0.1.0 .
FROM eclipse-temurin:25-jre AS extract
WORKDIR /build
COPY target/kvbatch.jar kvbatch.jar
# Spring Boot's layers: dependencies change rarely, so a new release only ships the application layer.
RUN java -Djarmode=tools -jar kvbatch.jar extract --layers --destination extracted

# JDK 25 runs the Java 17 jar, and starts it from its AOT cache (JEP 514/515).
FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10001 kvbatch \
	&& useradd --system --uid 10001 --gid kvbatch --no-create-home --home-dir /data kvbatch \
	&& mkdir /data && chown kvbatch:kvbatch /data
WORKDIR /app
COPY --from=extract /build/extracted/dependencies/ ./
COPY --from=extract /build/extracted/spring-boot-loader/ ./
COPY --from=extract /build/extracted/snapshot-dependencies/ ./
COPY --from=extract /build/extracted/application/ ./
# The start-up cache: the same training as ./kvbatch runs (src/main/sh/train-startup-cache), on an empty `run compress`
# in a scratch data folder, writes JDK 25's AOT cache of the classes a scheduled run loads, linked, to kvbatch.aot;
# every start maps them from there, well under half the cold start a CronJob pays. A cache fits one JVM build and these
# exact jars, so it is made here, in the image that runs it.
COPY src/main/sh/train-startup-cache /usr/local/bin/train-startup-cache
RUN sh /usr/local/bin/train-startup-cache java /app >/dev/null \
	|| { cat /app/training.log; exit 1; }; test -s /app/kvbatch.aot && rm /app/training.log
USER 10001:10001
# Without a jobs/ folder (mount one at KVBATCH_JOBS_DIR) the packing rules bundled in the jar apply.
ENV KVBATCH_DATA_DIR=/data
VOLUME /data
# Exec form: java is PID 1 and gets the SIGTERM itself, so a run stops at a chunk boundary and ends STOPPED.
# The AOT cache is used if it fits, else the JVM starts without it; the -Xlog options keep the JVM's messages off
# stdout, which carries results (same options as the kvbatch launcher).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:AOTCache=/app/kvbatch.aot", "-Xlog:disable", \
	"-Xlog:all=warning:stderr", "-Xlog:aot*=off:stderr", "-Xlog:cds*=off:stderr", "-jar", "/app/kvbatch.jar"]
CMD ["--help"]
