#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer: $JAVA_HOME if it qualifies, else the `java` on the
# PATH, else the newest JDK under /usr/lib/jvm. Exits 1 with a hint when none is found.
set -euo pipefail

major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
ok() { [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] && (( $(major "$1") >= 21 )); }

if [[ -n "${JAVA_HOME:-}" ]] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
if command -v javac >/dev/null 2>&1; then
  home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  if ok "$home"; then echo "$home"; exit 0; fi
fi
for home in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
  home=${home%/}
  if ok "$home"; then echo "$home"; exit 0; fi
done
echo "No JDK 21 or newer found. Install one (e.g. apt-get install openjdk-21-jdk, or Temurin 21+) and set JAVA_HOME." >&2
exit 1
