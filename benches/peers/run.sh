#!/usr/bin/env bash
# Cost of one signed V4 PostObject form, side by side on one machine: this crate (criterion,
# benches/post_policy.rs) against ali-oss 6.23.0 (Node) and the Python algorithm of Alibaba's
# server-signed upload guide, optionally boto3's generate_presigned_post. Same policy, same
# STS token (benches/peers/inputs.json); every peer builds and signs a complete form per call.
# Then one presigned V4 PUT URL (`presign/put_v4`) against ali-oss's `signatureUrlV4` and the
# Python SDK alibabacloud-oss-v2's `Client.presign` (version of
# tests/vectors/generator/presign_requirements.txt), same inputs, a second table.
#
# The peers are installed into a scratch directory, never into the repository:
#   PEERS_DIR=<dir>   reuse a scratch directory (default: a new one under /tmp)
#   WITH_BOTO3=1      also install boto3 (pinned below) into the venv there and time it
#   ITER=<n>          iterations per timed round for the peers (default 20000)
# Not run by CI. Run it on an idle machine (as root, `nice -n -20 benches/peers/run.sh` keeps
# other work off it); it prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."

ALI_OSS_VERSION=6.23.0 # also pinned in benches/peers/package.json
BOTO3_VERSION=1.35.99
PYTHON_SDK_REQUIREMENT=$(grep '^alibabacloud-oss-v2==' tests/vectors/generator/presign_requirements.txt)
ITER=${ITER:-20000}
SCRATCH=${PEERS_DIR:-$(mktemp -d /tmp/oss-post-policy-peers.XXXXXX)}
mkdir -p "$SCRATCH"
echo "== scratch: $SCRATCH" >&2

echo "== installing ali-oss $ALI_OSS_VERSION" >&2
cp benches/peers/package.json "$SCRATCH/package.json"
(cd "$SCRATCH" && npm install --no-package-lock --no-audit --no-fund --silent)
echo "== installing $PYTHON_SDK_REQUIREMENT" >&2
[ -x "$SCRATCH/venv/bin/pip" ] || python3 -m venv "$SCRATCH/venv"
"$SCRATCH/venv/bin/pip" install --quiet "$PYTHON_SDK_REQUIREMENT"
if [ "${WITH_BOTO3:-0}" = 1 ]; then
    echo "== installing boto3 $BOTO3_VERSION" >&2
    "$SCRATCH/venv/bin/pip" install --quiet "boto3==$BOTO3_VERSION"
fi

echo "== this crate (criterion)" >&2
cargo bench --bench post_policy -- --warm-up-time 1 --measurement-time 3 \
    '^(post_policy/(floor|derive_signing_key|sign_v4_cached_key|sign_v4)|per_request/build_and_sign_v4|presign/(put_v4|sha256_then_hmac))$' >&2

echo "== peers" >&2
results="$SCRATCH/results.jsonl"
: > "$results"
NODE_PATH="$SCRATCH/node_modules" node benches/peers/ali_oss.js "$ITER" | tee -a "$results" >&2
python3 benches/peers/guide_python.py "$ITER" | tee -a "$results" >&2
if [ "${WITH_BOTO3:-0}" = 1 ]; then
    "$SCRATCH/venv/bin/python" benches/peers/boto3_post.py "$((ITER / 4))" | tee -a "$results" >&2
fi
presigned="$SCRATCH/presign.jsonl"
: > "$presigned"
NODE_PATH="$SCRATCH/node_modules" node benches/peers/ali_oss_presign.js "$ITER" | tee -a "$presigned" >&2
"$SCRATCH/venv/bin/python" benches/peers/python_presign.py "$((ITER / 4))" | tee -a "$presigned" >&2

python3 - "$results" "${CARGO_TARGET_DIR:-target}/criterion" "$presigned" <<'PY'
import json, os, re, sys

results, criterion, presigned = sys.argv[1], sys.argv[2], sys.argv[3]

def median_us(bench_id, group="post_policy"):
    with open(os.path.join(criterion, group, bench_id, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"] / 1000

floor, ours, cached = median_us("floor"), median_us("sign_v4"), median_us("sign_v4_cached_key")
built = median_us("build_and_sign_v4", "per_request")
pinned = re.search(r'ALI_OSS_SIGNATURE: &str = "([0-9a-f]{64})"', open("benches/common/mod.rs").read()).group(1)
rows = [
    ("oss-post-policy `sign_at`, key derived per form", "this crate", ours, None),
    ("oss-post-policy `sign_at`, key from a `SigningKeyCache`", "this crate", cached, None),
    ("oss-post-policy, policy built per form (per-user prefix), cached key", "this crate", built, None),
]
for line in open(results):
    peer = json.loads(line)
    if peer["peer"] == "ali-oss" and peer["signature"] != pinned:
        sys.exit(f"ali-oss signed {peer['signature']}, benches/common/mod.rs pins {pinned}: inputs differ")
    rows.append((peer["peer"], peer["version"], peer["per_form_us"], peer["policy_bytes"]))
print(f"\nfloor (HMAC-SHA256 over the base64 policy from a pre-keyed, cloned state): {floor:.3f} us; "
      f"ali-oss's signature equals the one benches/common/mod.rs pins ({pinned[:12]}...)\n")
print("| implementation | version | per signed form | x this crate's `sign_at` | x floor |")
print("|---|---|---:|---:|---:|")
for name, version, us, _ in rows:
    print(f"| {name} | {version} | {us:.2f} us | {us / ours:.1f} | {us / floor:.1f} |")

put, derive = median_us("put_v4", "presign"), median_us("derive_signing_key")
put_floor = median_us("sha256_then_hmac", "presign")
pinned = re.search(r'ALI_OSS_PRESIGN_SIGNATURE: &str = "([0-9a-f]{64})"', open("benches/common/mod.rs").read()).group(1)
rows = [
    ("oss-post-policy `Presign::sign_at` (`presign/put_v4`), key from a `SigningKeyCache`", "this crate", put),
    ("oss-post-policy, key derived per URL (`put_v4` + `derive_signing_key`, sum of medians)", "this crate", put + derive),
]
for line in open(presigned):
    peer = json.loads(line)
    if peer["signature"] != pinned:
        sys.exit(f"{peer['peer']} signed {peer['signature']}, benches/common/mod.rs pins {pinned}: inputs differ")
    rows.append((peer["peer"], peer["version"], peer["per_url_us"]))
print(f"\npresigned PUT URL (`user-dir/cat.png`, `Content-Type: image/png`, STS token); the peers derive the "
      f"key per URL; every peer's signature equals the one benches/common/mod.rs pins ({pinned[:12]}...)\n")
print(f"presign floor (`presign/sha256_then_hmac`: SHA-256 of the canonical request, then the pre-keyed HMAC): {put_floor:.3f} us\n")
print("| implementation | version | per presigned URL | x this crate's `put_v4` | x presign floor |")
print("|---|---|---:|---:|---:|")
for name, version, us in rows:
    print(f"| {name} | {version} | {us:.2f} us | {us / put:.1f} | {us / put_floor:.1f} |")
PY
