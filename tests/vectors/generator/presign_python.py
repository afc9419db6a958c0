"""Presigned-URL vectors from the official Python SDK alibabacloud-oss-v2 (pinned in
presign_requirements.txt). Writes tests/vectors/presign-python.json.

Deterministic: the SDK's clock is replaced by a fixed time, the credentials are fixed, no network
(presigning sends nothing). Two paths:

- `Client.presign(...)`: what an application gets (URL building, key encoding, request headers).
- `SignerV4().sign(SigningContext(...))`: the signer alone, for what the client path cannot
  express (additional headers, which `Client.presign` ignores; any query parameter).

Run: python3 -m venv /tmp/presign-venv && /tmp/presign-venv/bin/pip install -r presign_requirements.txt
     /tmp/presign-venv/bin/python presign_python.py > ../presign-python.json
"""

import datetime
import json
import sys
import types
from importlib.metadata import version
from urllib.parse import quote, unquote

import alibabacloud_oss_v2 as oss
import alibabacloud_oss_v2.signer.v4 as v4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

SDK = f"alibabacloud-oss-v2 {version('alibabacloud-oss-v2')}"
AK, SK = "LTAI5tExampleAccessKey", "ExampleSecretKeyForVectors0123456789"
# An STS-shaped token holding the characters that need encoding in a query value.
TOKEN = "CAIS+sts/token==with+plus/slash="


def at(now):
    """Replaces the clock the V4 signer reads (datetime.datetime.now) by `now`."""

    class Fixed(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return now

    v4.datetime = types.SimpleNamespace(datetime=Fixed, timezone=datetime.timezone, timedelta=datetime.timedelta)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def query_pairs(url):
    """The decoded query of `url`, without the parameters the signer writes."""
    out = []
    for pair in url.split("?", 1)[1].split("&"):
        name, _, value = pair.partition("=")
        name, value = unquote(name), unquote(value)
        if not name.startswith("x-oss-") or name in ("x-oss-process",):
            out.append([name, value])
    return out


def client(region, token=None, additional_headers=None):
    provider = oss.credentials.StaticCredentialsProvider(AK, SK, token)
    cfg = oss.config.load_default()
    cfg.credentials_provider = provider
    cfg.region = region
    if additional_headers:
        cfg.additional_headers = additional_headers
    return oss.Client(cfg)


def via_client(name, request, now, expires, region="cn-hangzhou", token=None, note=None, additional_headers=None):
    at(now)
    result = client(region, token, additional_headers).presign(request, expiration=now + expires)
    bucket, key = request.bucket, request.key
    vector = {
        "name": name,
        "source": f"{SDK}: Client.presign",
        "method": result.method,
        "bucket": bucket,
        "key": key,
        "region": region,
        "access_key_id": AK,
        "access_key_secret": SK,
        "security_token": token,
        "now": rfc3339(now),
        "expires_in": int(expires.total_seconds()),
        "query": query_pairs(result.url),
        "headers": [[k, v] for k, v in sorted((result.signed_headers or {}).items(), key=lambda kv: kv[0].lower())],
        "additional_headers": additional_headers or [],
        "expected": {"url": result.url, "expiration": rfc3339(result.expiration)},
    }
    if note:
        vector["note"] = note
    return vector


def via_signer(name, method, bucket, key, now, expires, query, headers, additional, token=None):
    at(now)
    url = f"https://{bucket}.oss-cn-hangzhou.aliyuncs.com/{quote(key, safe='/')}"
    if query:
        url += "?" + "&".join(quote(n, safe="") + ("=" + quote(v, safe="") if v else "") for n, v in query)
    request = HttpRequest(method, url, headers=dict(headers))
    ctx = SigningContext(
        product="oss",
        region="cn-hangzhou",
        bucket=bucket,
        key=key,
        request=request,
        credentials=oss.credentials.Credentials(AK, SK, token),
        additional_headers=set(additional),
    )
    ctx.auth_method_query = True
    ctx.signing_time = now
    ctx.expiration_time = now + expires
    v4.SignerV4().sign(ctx)
    return {
        "name": name,
        "source": f"{SDK}: signer.v4.SignerV4.sign (auth_method_query)",
        "method": method,
        "bucket": bucket,
        "key": key,
        "region": "cn-hangzhou",
        "access_key_id": AK,
        "access_key_secret": SK,
        "security_token": token,
        "now": rfc3339(now),
        "expires_in": int(expires.total_seconds()),
        "query": [[n, v] for n, v in query],
        "headers": [[n, v] for n, v in headers],
        "additional_headers": additional,
        "expected": {"url": request.url, "string_to_sign": ctx.string_to_sign},
    }


def main():
    t = datetime.datetime(2024, 11, 27, 6, 9, 41, tzinfo=datetime.timezone.utc)
    hour = datetime.timedelta(hours=1)
    vectors = [
        via_client("put-content-type", oss.PutObjectRequest(bucket="examplebucket", key="user-dir/cat.png", content_type="image/png"), t, hour),
        via_client("put-key-with-space", oss.PutObjectRequest(bucket="examplebucket", key="my docs/a b.txt"), t, datetime.timedelta(seconds=600)),
        via_client("put-key-unicode", oss.PutObjectRequest(bucket="examplebucket", key="照片/猫 咪.jpg", content_type="image/jpeg"), t, hour),
        via_client("put-key-reserved-characters", oss.PutObjectRequest(bucket="examplebucket", key="a+b%c?d#e&f=g~h"), t, hour),
        via_client("put-key-double-slash", oss.PutObjectRequest(bucket="examplebucket", key="dir//sub///x.bin"), t, hour),
        via_client("put-meta-forbid-overwrite-storage-class", oss.PutObjectRequest(
            bucket="examplebucket", key="k.txt", content_type="text/plain", metadata={"uid": "42", "owner": "Ann B"},
            forbid_overwrite=True, storage_class="IA"), t, hour),
        via_client("put-content-md5", oss.PutObjectRequest(bucket="examplebucket", key="k.bin", content_md5="1B2M2Y8AsgTpgAmY7PhCfg=="), t, hour),
        via_client("put-sts-token", oss.PutObjectRequest(bucket="examplebucket", key="k.txt", content_type="text/plain"), t, hour, token=TOKEN),
        via_client("get-response-content-type", oss.GetObjectRequest(
            bucket="examplebucket", key="report.pdf", response_content_type="application/pdf",
            response_content_disposition='attachment; filename="r 1.pdf"'), t, hour),
        via_client("get-version-id", oss.GetObjectRequest(bucket="examplebucket", key="a.txt", version_id="CAEQNhiBgM0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjQ2ZjI5"), t, hour),
        via_client("get-process", oss.GetObjectRequest(bucket="examplebucket", key="pic.jpg", process="image/resize,w_100"), t, hour),
        via_client("head", oss.HeadObjectRequest(bucket="examplebucket", key="a.txt"), t, hour),
        via_client("post-initiate-multipart-upload", oss.InitiateMultipartUploadRequest(bucket="examplebucket", key="big.bin"), t, hour),
        via_client("get-seven-days", oss.GetObjectRequest(bucket="examplebucket", key="a.txt"), t, datetime.timedelta(days=7)),
        via_client("get-one-second-before-midnight", oss.GetObjectRequest(bucket="examplebucket", key="a.txt"),
                   datetime.datetime(2024, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc), datetime.timedelta(seconds=1)),
        via_signer("signer-additional-headers", "PUT", "examplebucket", "k.txt", t, hour, [],
                   [("Content-Type", "text/plain"), ("Cache-Control", "no-cache"), ("Content-Disposition", "attachment")],
                   ["Content-Disposition", "cache-control"]),
        via_signer("signer-query-needing-encoding", "GET", "examplebucket", "a b+c.txt", t, hour,
                   [("response-content-disposition", 'attachment; filename="a b.txt"'), ("x-oss-process", "image/resize,w_100"), ("tag", "a+b/c=d&e"), ("uploads", "")],
                   [], []),
        via_signer("signer-sts-query-and-headers", "PUT", "examplebucket", "dir/é ü.txt", t, datetime.timedelta(seconds=1),
                   [("partNumber", "1"), ("uploadId", "0004B9895DBBB6EC98E")],
                   [("x-oss-meta-a", "1"), ("Content-Type", "application/octet-stream")], [], token=TOKEN),
    ]
    known_differences = [
        via_client("quirk-region-oss-prefix-kept", oss.GetObjectRequest(bucket="examplebucket", key="a.txt"), t, hour,
                   region="oss-cn-hangzhou",
                   note="Client.presign signs the region as given: the credential scope says oss-cn-hangzhou. "
                        "This crate strips the oss- prefix (as ali-oss does), so its signature differs."),
        via_client("quirk-additional-headers-ignored", oss.PutObjectRequest(bucket="examplebucket", key="k.txt", cache_control="no-cache"), t, hour,
                   additional_headers=["cache-control"],
                   note="Config.additional_headers is not passed to the presign signing context: cache-control is "
                        "neither signed nor listed in x-oss-additional-headers. This crate signs it."),
    ]
    # Client.presign reports no signed header here: record the header it was given.
    known_differences[1]["headers"] = [["Cache-Control", "no-cache"]]
    json.dump({
        "generator": "tests/vectors/generator/presign_python.py",
        "sdk": SDK,
        "python": sys.version.split()[0],
        "vectors": vectors,
        "known_differences": known_differences,
    }, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
