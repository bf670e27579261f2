#!/bin/bash
# Boots a sandbox EC2 instance the way its user data would, without Docker: runs the user data's `docker run` line as a
# worker process with exactly the environment the container would get (its -e values), plus what stands in for EC2:
# the sandbox's endpoints (AWS_ENDPOINT_URL) and the instance's metadata service (AWS_EC2_METADATA_SERVICE_ENDPOINT,
# set by the sandbox), so the worker gets its credentials from the instance role and its secret from SSM.
#
# The sandbox's instance launcher runs it with SANDBOX_INSTANCE_ID, SANDBOX_USER_DATA_FILE, SANDBOX_ENDPOINT and
# AWS_EC2_METADATA_SERVICE_ENDPOINT set. Arguments: the worker's dll, then the image references that "pull": any
# other image fails as a pull of a missing image would (the worker never starts, so it never reports Healthy).
set -euo pipefail
worker_dll="$1"
shift
line=$(grep -m1 '^docker run ' "$SANDBOX_USER_DATA_FILE")
read -ra words <<< "$line"
environment=()
image=""
i=2
while [ "$i" -lt "${#words[@]}" ]; do
    case "${words[$i]}" in
        -e) value="${words[$((i + 1))]}"; environment+=("${value//\"\$INSTANCE_ID\"/$SANDBOX_INSTANCE_ID}"); i=$((i + 2)) ;;
        -d) i=$((i + 1)) ;;
        --name | --restart | --memory | --cpus) i=$((i + 2)) ;;
        -*) echo "unexpected docker run option ${words[$i]}" >&2; exit 2 ;;
        *) image="${words[$i]}"; i=$((i + 1)) ;;
    esac
done

pulled=false
for known in "$@"; do
    if [ "$known" = "$image" ]; then pulled=true; fi
done
if [ "$pulled" != true ]; then
    echo "Error response from daemon: manifest for $image not found: manifest unknown" >&2
    exit 125
fi

home=$(mktemp -d)
exec env -i PATH="$PATH" HOME="$home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_gcServer=0 \
    REMEDIATION_HEALTH_FILE="$home/health" \
    AWS_ENDPOINT_URL="$SANDBOX_ENDPOINT" AWS_EC2_METADATA_SERVICE_ENDPOINT="$AWS_EC2_METADATA_SERVICE_ENDPOINT" \
    "${environment[@]}" dotnet "$worker_dll"
