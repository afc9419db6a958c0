#!/usr/bin/env python3
"""One signed V4 PostObject form per iteration with the algorithm of Alibaba's direct-upload guide's Python
sample (standard library only: json, base64, hmac, hashlib, datetime), minus the STS call and
Flask, on the policy of benches/post_policy.rs.

As in the sample, the policy is json.dumps(policy).strip(): Python's default separators put a
space after ',' and ':', so its bytes (and signature) differ from ali-oss's and ours; the work
per form is the same.

Usage: python3 guide_python.py [iterations]
Prints one JSON line: {"peer", "version", "signature", "policy_bytes", "per_form_us"}.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import platform
import statistics
import sys
import time

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "inputs.json"), encoding="utf-8") as f:
    INPUTS = json.load(f)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
TOKEN = ("CAIS" + ALPHABET * 10)[:600]
NOW = int(datetime.datetime.fromisoformat(INPUTS["now"].replace("Z", "+00:00")).timestamp())


def hmacsha256(key, data):
    return hmac.new(key, data.encode(), hashlib.sha256).digest()


def sign_form():
    temp_access_key_id = INPUTS["access_key_id"]
    temp_access_key_secret = INPUTS["access_key_secret"]
    security_token = TOKEN
    region_id = INPUTS["region"]
    dt_obj = datetime.datetime.fromtimestamp(NOW, datetime.timezone.utc)
    dt_obj_plus = dt_obj + datetime.timedelta(seconds=INPUTS["expires_in_seconds"])
    dt_obj_1 = dt_obj.strftime("%Y%m%dT%H%M%S") + "Z"
    dt_obj_2 = dt_obj.strftime("%Y%m%d")
    expiration_time = dt_obj_plus.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    policy = {
        "expiration": expiration_time,
        "conditions": [
            {"bucket": INPUTS["bucket"]},
            {"x-oss-signature-version": "OSS4-HMAC-SHA256"},
            {"x-oss-credential": f"{temp_access_key_id}/{dt_obj_2}/{region_id}/oss/aliyun_v4_request"},
            {"x-oss-date": dt_obj_1},
            {"x-oss-security-token": security_token},
            *INPUTS["conditions_after_signer_fields"],
        ],
    }
    policy_str = json.dumps(policy).strip()
    string_to_sign = base64.b64encode(policy_str.encode()).decode()
    date_key = hmacsha256(("aliyun_v4" + temp_access_key_secret).encode(), dt_obj_2)
    date_region_key = hmacsha256(date_key, region_id)
    date_region_service_key = hmacsha256(date_region_key, "oss")
    signing_key = hmacsha256(date_region_service_key, "aliyun_v4_request")
    signature = hmacsha256(signing_key, string_to_sign).hex()
    return {
        "policy": string_to_sign,
        "x_oss_signature_version": "OSS4-HMAC-SHA256",
        "x_oss_credential": f"{temp_access_key_id}/{dt_obj_2}/{region_id}/oss/aliyun_v4_request",
        "x_oss_date": dt_obj_1,
        "signature": signature,
        "host": f"https://{INPUTS['bucket']}.oss-{region_id}.aliyuncs.com",
        "dir": "user-dir/",
        "security_token": security_token,
    }


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
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
        "peer": "the direct-upload guide's Python sample",
        "version": f"CPython {platform.python_version()}",
        "signature": first["signature"],
        "policy_bytes": len(base64.b64decode(first["policy"])),
        "per_form_us": statistics.median(rounds),
    }))


if __name__ == "__main__":
    main()
