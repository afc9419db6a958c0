#!/usr/bin/env python3
"""Optional peer: boto3's generate_presigned_post (S3 SigV4 POST policy, the AWS analogue of
an OSS V4 form) with the same STS token and expiry and the same conditions where S3 has them
(S3 has no in / not-in: starts-with stands in), per call. It signs for S3, not OSS, so its
signature is not comparable; its cost per form is.

Usage: python3 boto3_post.py [iterations]   (boto3 pinned by run.sh)
Prints one JSON line: {"peer", "version", "signature", "policy_bytes", "per_form_us"}.
"""
import base64
import json
import os
import statistics
import sys
import time

import boto3
import botocore
from botocore.config import Config

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "inputs.json"), encoding="utf-8") as f:
    INPUTS = json.load(f)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
TOKEN = ("CAIS" + ALPHABET * 10)[:600]



CLIENT = boto3.client(
    "s3",
    region_name="us-east-1",
    aws_access_key_id=INPUTS["access_key_id"],
    aws_secret_access_key=INPUTS["access_key_secret"],
    aws_session_token=TOKEN,
    config=Config(signature_version="s3v4"),
)
CONDITIONS = [
    ["content-length-range", 1, 10485760],
    ["eq", "$success_action_status", "200"],
    ["starts-with", "$key", "user-dir/"],
    ["starts-with", "$content-type", "image/"],
    ["starts-with", "$cache-control", ""],
]


def sign_form():
    # A fresh list per call: generate_presigned_post appends the bucket, key and field
    # conditions to the list it is given, so reusing one would grow the policy every call.
    return CLIENT.generate_presigned_post(
        Bucket=INPUTS["bucket"],
        Key="user-dir/${filename}",
        Fields={"success_action_status": "200"},
        Conditions=[list(c) for c in CONDITIONS],
        ExpiresIn=INPUTS["expires_in_seconds"],
    )


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    first = sign_form()
    for _ in range(iterations // 4):
        sign_form()
    rounds = []
    for _ in range(7):
        t0 = time.perf_counter_ns()
        for _ in range(iterations):
            sign_form()
        rounds.append((time.perf_counter_ns() - t0) / 1000 / iterations)
    print(json.dumps({
        "peer": "boto3 generate_presigned_post",
        "version": f"boto3 {boto3.__version__}, botocore {botocore.__version__}",
        "signature": first["fields"]["x-amz-signature"],
        "policy_bytes": len(base64.b64decode(first["fields"]["policy"])),
        "per_form_us": statistics.median(rounds),
    }))


if __name__ == "__main__":
    main()
