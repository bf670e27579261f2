#!/bin/bash
# Boots a sandbox EC2 instance the way its user data would, without Docker: runs the user data's `docker run` line as a
# worker process with exactly the environment the container would get (its -e values), plus what stands in for EC2:
# the sandbox's endpoints (AWS_ENDPOINT_URL) and the instance's metadata service (AWS_EC2_METADATA_SERVICE_ENDPOINT,
# set by the sandbox), so the worker gets its credentials from the instance role and its secret from SSM.
#
# The sandbox's instance launcher runs it with SANDBOX_INSTANCE_ID, SANDBOX_USER_DATA_FILE, SANDBOX_ENDPOINT and
# AWS_EC2_METADATA_SERVICE_ENDPOINT set. Arguments: the worker's dll, then the image references that "pull": any
# other image fails as a pull of a missing image would (the worker never starts, so it never reports Healthy).
# With `--container <engine> <local image>` first, the line runs in a real container of the local worker image instead
# (in the foreground, host network so the sandbox and the instance's metadata service are reachable, the limits of the
# line); terminating the instance stops the container.
set -euo pipefail
engine=""
if [ "${1:-}" = "--container" ]; then
    engine="$2"
    local_image="$3"
    shift 3
fi
worker_dll="$1"
shift
line=$(grep -m1 '^docker run ' "$SANDBOX_USER_DATA_FILE")
read -ra words <<< "$line"
environment=()
limits=()
image=""
i=2
while [ "$i" -lt "${#words[@]}" ]; do
    case "${words[$i]}" in
        -e) value="${words[$((i + 1))]}"; environment+=("${value//\"\$INSTANCE_ID\"/$SANDBOX_INSTANCE_ID}"); i=$((i + 2)) ;;
        -d) i=$((i + 1)) ;;
        --memory | --cpus) limits+=("${words[$i]}" "${words[$((i + 1))]}"); i=$((i + 2)) ;;
        --name | --restart) i=$((i + 2)) ;;
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

if [ -n "$engine" ]; then
    here=$(cd "$(dirname "$0")" && pwd)
    export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/../../build/image/containers.conf}"
    options=()
    for value in "${environment[@]}"; do options+=(-e "$value"); done
    health=()
    if [ "$engine" = podman ]; then health=(--health-interval disable); fi
    # exec: the sandbox's SIGTERM reaches the engine, which passes it to the worker (a clean stop), then removes it.
    exec "$engine" run --rm --name "rt-instance-$SANDBOX_INSTANCE_ID" "${limits[@]}" --network host "${health[@]}" \
        -e AWS_ENDPOINT_URL="$SANDBOX_ENDPOINT" -e AWS_EC2_METADATA_SERVICE_ENDPOINT="$AWS_EC2_METADATA_SERVICE_ENDPOINT" \
        "${options[@]}" "$local_image"
fi

home=$(mktemp -d)
# The image's own ENV, then the line's -e values.
exec env -i PATH="$PATH" HOME="$home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_gcServer=0 DOTNET_GCgen0size=0x400000 \
    REMEDIATION_HEALTH_FILE="$home/health" \
    AWS_ENDPOINT_URL="$SANDBOX_ENDPOINT" AWS_EC2_METADATA_SERVICE_ENDPOINT="$AWS_EC2_METADATA_SERVICE_ENDPOINT" \
    "${environment[@]}" dotnet "$worker_dll"
