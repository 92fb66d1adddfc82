#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: the grader needs only
# a Java 17 runtime (paging.jar holds the library, the testkit and the grade command).
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends openjdk-17-jre-headless
java -version
