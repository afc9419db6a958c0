#!/usr/bin/env python3
"""One presigned V4 PUT URL per iteration with the official Python SDK alibabacloud-oss-v2
(`Client.presign`, the version of tests/vectors/generator/presign_requirements.txt), on the
inputs of the crate's `presign/put_v4` bench (benches/post_policy.rs): bucket and region of
inputs.json, key `user-dir/cat.png`, `Content-Type: image/png`, 3600 s, the same 600-character
STS token. The client and the PutObjectRequest are made once, outside the loop (as the crate's
bench builds its `Presign` once); each call derives the signing key, as the SDK does.
The SDK's V4 clock (`datetime.datetime.now`) is fixed to inputs.json's `now`, so the signature
can be compared, and the URL expires at `now` + 3600 s.

Usage: <venv>/bin/python python_presign.py [iterations]
Prints one JSON line: {"peer", "version", "signature", "per_url_us"}.
"""
import datetime
import json
import os
import statistics
import sys
import time
import types
from importlib.metadata import version
from urllib.parse import parse_qs, urlsplit

import alibabacloud_oss_v2 as oss
import alibabacloud_oss_v2.signer.v4 as v4

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "inputs.json"), encoding="utf-8") as f:
    INPUTS = json.load(f)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
TOKEN = ("CAIS" + ALPHABET * 10)[:600]
NOW = datetime.datetime.fromisoformat(INPUTS["now"].replace("Z", "+00:00"))
EXPIRATION = NOW + datetime.timedelta(seconds=INPUTS["expires_in_seconds"])


class Fixed(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW


# The V4 signer reads datetime.datetime.now: fixed, the rest of datetime unchanged.
v4.datetime = types.SimpleNamespace(datetime=Fixed, timezone=datetime.timezone, timedelta=datetime.timedelta)

cfg = oss.config.load_default()
cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(
    INPUTS["access_key_id"], INPUTS["access_key_secret"], TOKEN
)
cfg.region = INPUTS["region"]
client = oss.Client(cfg)
request = oss.PutObjectRequest(bucket=INPUTS["bucket"], key="user-dir/cat.png", content_type="image/png")


def presign():
    return client.presign(request, expiration=EXPIRATION)


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    first = presign()
    for _ in range(iterations):  # warm-up
        presign()
    rounds = []
    for _ in range(7):
        t0 = time.perf_counter_ns()
        for _ in range(iterations):
            presign()
        rounds.append((time.perf_counter_ns() - t0) / 1000 / iterations)
    print(json.dumps({
        "peer": "alibabacloud-oss-v2 `Client.presign`",
        "version": version("alibabacloud-oss-v2"),
        "signature": parse_qs(urlsplit(first.url).query)["x-oss-signature"][0],
        "per_url_us": statistics.median(rounds),
    }))


if __name__ == "__main__":
    main()
