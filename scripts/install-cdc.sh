#!/usr/bin/env bash
# install-cdc.sh: the real software of phase 4's CDC pipeline, for the CDC gate test and the CDC
# benchmark: Apache Kafka (broker, tools, Connect) and the Debezium PostgreSQL connector from Maven
# Central, PostgreSQL and a Java runtime from Debian when missing.
#
# Algorithm:
#   1. Versions are pinned in scripts/cdc/versions.env (Kafka = the version Strimzi runs in the
#      cluster, Debezium = the connector version the phase-4 program ships). The install folder is
#      named after them: .cache/cdc/kafka-<v>_debezium-<v>/ (libs/ = broker/tools/Connect classpath,
#      plugins/debezium-connector-postgres/ = Connect plugin.path entry).
#   2. Missing system tools come from Debian (apt-get): a JRE >= 17 (Kafka 4 needs 17), PostgreSQL
#      (server and psql), Maven.
#   3. `mvn dependency:copy-dependencies` (runtime scope) with a private local repository in
#      .cache/cdc/m2 and strict checksums (-C: every artifact must match the .sha1 Maven Central serves).
#      log4j-slf4j-impl is added (Kafka 4.3 logs through slf4j 1.7 and ships no binding). Plugin jars
#      that the worker already has (same file name) are removed: a second jackson in the plugin's
#      class loader breaks Debezium's converter scan (reference/counterparts-lab.md 1.2).
#   4. Every jar is checked against scripts/cdc/jars.sha256 (sha256, committed): the pin. A jar that
#      differs, is missing or is extra fails the install. `--write-lock` rewrites the lock (only when
#      changing a version, and say so in the commit).
#   5. Idempotent: a complete, verified folder (STAMP) is reused; prints each step's wall time.
#   6. Strimzi's CRDs (kafka.strimzi.io/v1) for the test cluster: io.strimzi:api and
#      io.strimzi:crd-generator at STRIMZI_VERSION from Maven Central (jars pinned in
#      scripts/cdc/strimzi-jars.sha256), run with a JDK >= 21 (their class files need it) into
#      .cache/cdc/strimzi-<v>/crds/ (scripts/install-test-cluster.sh does not provide them).
#
# Usage: scripts/install-cdc.sh [--print-root] [--print-strimzi-crds] [--write-lock] [--force]
# Env: PLATFORM_CDC_CACHE (default .cache/cdc).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=cdc/versions.env
. "$REPO_ROOT/scripts/cdc/versions.env"
CACHE="${PLATFORM_CDC_CACHE:-$REPO_ROOT/.cache/cdc}"
ROOT="$CACHE/kafka-${KAFKA_VERSION}_debezium-${DEBEZIUM_VERSION}"
LOCK="$REPO_ROOT/scripts/cdc/jars.sha256"
PRINT_ROOT=0; PRINT_CRDS=0; WRITE_LOCK=0; FORCE=0
for a in "$@"; do
  case "$a" in
    --print-root) PRINT_ROOT=1 ;;
    --print-strimzi-crds) PRINT_CRDS=1 ;;
    --write-lock) WRITE_LOCK=1 ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "install-cdc: unknown argument '$a' (try --help)" >&2; exit 2 ;;
  esac
done
log() { echo "[cdc] $*" >&2; }
die() { echo "[cdc] ERROR: $*" >&2; exit 1; }
t_all=$SECONDS

verify() { # checks the folder against the committed lock; prints the first mismatch
  (cd "$ROOT" && find libs plugins -name '*.jar' | LC_ALL=C sort > "$ROOT/.jars") || return 1
  awk '{print $2}' "$LOCK" | LC_ALL=C sort | diff -q - "$ROOT/.jars" >/dev/null ||
    { diff <(awk '{print $2}' "$LOCK" | LC_ALL=C sort) "$ROOT/.jars" | head -5 >&2; return 1; }
  (cd "$ROOT" && sha256sum --quiet -c "$LOCK" >&2)
}

strimzi_crds() { # 6. Strimzi CRDs from Maven Central with Strimzi's own generator
  local S="$CACHE/strimzi-$STRIMZI_VERSION" SLOCK="$REPO_ROOT/scripts/cdc/strimzi-jars.sha256" t=$SECONDS j v J=""
  if [ "$FORCE" = 0 ] && [ "$WRITE_LOCK" = 0 ] && [ -f "$S/STAMP" ] && (cd "$S" && sha256sum --quiet -c "$SLOCK" >&2); then
    log "strimzi $STRIMZI_VERSION CRDs present in $S/crds"; return 0
  fi
  for j in ${JAVA21:-} $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null) $(command -v java); do
    v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then J=$j; break; fi
  done
  [ -n "$J" ] || die "Strimzi's crd-generator needs a JDK >= 21 (class files major 65); none found (set JAVA21=/path/to/java)"
  [ -n "$CACHE" ] && [ -n "$STRIMZI_VERSION" ] || die "CACHE or STRIMZI_VERSION unset"
  rm -rf "$S"; mkdir -p "$S/pom" "$S/crds"
  printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' '<project>' '  <modelVersion>4.0.0</modelVersion>' \
    '  <groupId>platform.cdc</groupId><artifactId>strimzi-crds</artifactId><version>1</version><packaging>pom</packaging>' \
    '  <dependencies>' \
    "    <dependency><groupId>io.strimzi</groupId><artifactId>api</artifactId><version>$STRIMZI_VERSION</version></dependency>" \
    "    <dependency><groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId><version>$STRIMZI_VERSION</version></dependency>" \
    '  </dependencies>' '</project>' > "$S/pom/pom.xml"
  mvn -B -q -C -Dmaven.repo.local="$CACHE/m2" -f "$S/pom/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$S/lib" >"$S/mvn.log" 2>&1 ||
    { tail -20 "$S/mvn.log" >&2; die "maven could not fetch io.strimzi:api/crd-generator $STRIMZI_VERSION"; }
  if [ "$WRITE_LOCK" = 1 ]; then (cd "$S" && find lib -name '*.jar' | LC_ALL=C sort | xargs sha256sum) > "$SLOCK"; log "wrote $SLOCK"; fi
  (cd "$S" && sha256sum --quiet -c "$SLOCK" >&2) || die "the Strimzi jars do not match scripts/cdc/strimzi-jars.sha256"
  [ "$(ls "$S/lib" | wc -l)" = "$(wc -l < "$SLOCK")" ] || die "extra or missing Strimzi jars (see scripts/cdc/strimzi-jars.sha256)"
  local M=io.strimzi.api.kafka.model
  "$J" -cp "$S/lib/*" io.strimzi.crdgenerator.CrdGenerator --yaml --label strimzi.io/crd-install:true --label app:strimzi \
    --crd-api-version v1 --api-versions v1 --storage-version v1 \
    "$M.kafka.Kafka=$S/crds/kafkas.yaml" "$M.nodepool.KafkaNodePool=$S/crds/kafkanodepools.yaml" \
    "$M.topic.KafkaTopic=$S/crds/kafkatopics.yaml" "$M.user.KafkaUser=$S/crds/kafkausers.yaml" \
    "$M.podset.StrimziPodSet=$S/crds/strimzipodsets.yaml" "$M.connect.KafkaConnect=$S/crds/kafkaconnects.yaml" \
    "$M.connector.KafkaConnector=$S/crds/kafkaconnectors.yaml" >"$S/generator.log" 2>&1 ||
    { tail -20 "$S/generator.log" >&2; die "Strimzi's CrdGenerator failed"; }
  echo "strimzi=$STRIMZI_VERSION java=$J generated_at=$(date -u +%FT%TZ)" > "$S/STAMP"
  log "strimzi $STRIMZI_VERSION: $(ls "$S/crds" | wc -l) CRDs generated with $J ($((SECONDS - t))s)"
}

if [ "$FORCE" = 0 ] && [ "$WRITE_LOCK" = 0 ] && [ -f "$ROOT/STAMP" ] && verify; then
  log "kafka $KAFKA_VERSION + debezium $DEBEZIUM_VERSION present and verified in $ROOT ($((SECONDS - t_all))s)"
  strimzi_crds
  [ "$PRINT_ROOT" = 1 ] && echo "$ROOT"
  [ "$PRINT_CRDS" = 1 ] && echo "$CACHE/strimzi-$STRIMZI_VERSION/crds"
  exit 0
fi

# 1. system tools from Debian
t=$SECONDS
need=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then need+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null || need+=(maven)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    die "apt-get install ${need[*]} failed"
fi
log "system tools: java $(java_major), $(mvn -v 2>/dev/null | head -1 | cut -d' ' -f1-3), $(ls -d /usr/lib/postgresql/*/bin | head -1) ($((SECONDS - t))s)"

# 2. Maven Central
t=$SECONDS
rm -rf "$ROOT"; mkdir -p "$ROOT/poms/kafka" "$ROOT/poms/debezium" "$CACHE/m2"
cat > "$ROOT/poms/kafka/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>platform.cdc</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-json</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-transforms</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
cat > "$ROOT/poms/debezium/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>platform.cdc</groupId><artifactId>debezium-postgres-plugin</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.debezium</groupId><artifactId>debezium-connector-postgres</artifactId><version>$DEBEZIUM_VERSION</version></dependency>
  </dependencies>
</project>
EOF
MVN=(mvn -B -q -C -Dmaven.repo.local="$CACHE/m2")
"${MVN[@]}" -f "$ROOT/poms/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$ROOT/libs" >"$ROOT/mvn-kafka.log" 2>&1 ||
  { tail -20 "$ROOT/mvn-kafka.log" >&2; die "maven could not fetch Kafka $KAFKA_VERSION"; }
"${MVN[@]}" -f "$ROOT/poms/debezium/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$ROOT/plugins/debezium-connector-postgres" >"$ROOT/mvn-debezium.log" 2>&1 ||
  { tail -20 "$ROOT/mvn-debezium.log" >&2; die "maven could not fetch Debezium $DEBEZIUM_VERSION"; }
for j in "$ROOT/plugins/debezium-connector-postgres"/*.jar; do # same artifact, any version (kafka-clients 4.3.0 vs 4.3.1)
  a=$(basename "$j"); a=${a%-*}
  compgen -G "$ROOT/libs/$a-[0-9]*.jar" >/dev/null && rm -f "$j"
done
log "maven: $(ls "$ROOT/libs" | wc -l) broker/Connect jars, $(ls "$ROOT/plugins/debezium-connector-postgres" | wc -l) plugin jars ($((SECONDS - t))s)"

# 3. the pin
if [ "$WRITE_LOCK" = 1 ]; then
  (cd "$ROOT" && find libs plugins -name '*.jar' | LC_ALL=C sort | xargs sha256sum) > "$LOCK"
  log "wrote $LOCK ($(wc -l < "$LOCK") jars)"
fi
verify || die "the downloaded jars do not match scripts/cdc/jars.sha256 (a changed artifact, or a version change without --write-lock)"
echo "kafka=$KAFKA_VERSION debezium=$DEBEZIUM_VERSION log4j=$LOG4J_VERSION installed_at=$(date -u +%FT%TZ)" > "$ROOT/STAMP"
strimzi_crds
log "installed and verified in $ROOT ($((SECONDS - t_all))s in all)"
[ "$PRINT_ROOT" = 1 ] && echo "$ROOT"
[ "$PRINT_CRDS" = 1 ] && echo "$CACHE/strimzi-$STRIMZI_VERSION/crds"
exit 0
