#!/usr/bin/env bash
# Checks the example binaries' command-line contracts (README "Example binaries").
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --examples
bin=target/debug/examples
fail=0
check() { # name, condition
  if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unset OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET OSS_SESSION_TOKEN

# sign_post_form: no arguments signs with the documented example pair and says so on stderr.
"$bin/sign_post_form" >"$tmp/out.json" 2>"$tmp/err.txt"; rc=$?
check "sign_post_form: no arguments exits 0" '[ $rc -eq 0 ]'
check "sign_post_form: notes the example credentials" 'grep -q "example credentials" "$tmp/err.txt"'
check "sign_post_form: prints {url, fields} with V4 fields in form order" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); f=list(d[\"fields\"]); assert list(d)==[\"url\",\"fields\"], d; assert f==[\"policy\",\"x-oss-signature-version\",\"x-oss-credential\",\"x-oss-date\",\"x-oss-signature\"], f; assert d[\"url\"]==\"https://examplebucket.oss-cn-hangzhou.aliyuncs.com\"" "$tmp/out.json"'

"$bin/sign_post_form" --now 2024-11-27T06:09:41Z --region oss-cn-shanghai --seed-json >"$tmp/seed.json" 2>/dev/null
check "sign_post_form --seed-json: the seed endpoint's keys" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert list(d)==[\"policy\",\"x_oss_signature_version\",\"x_oss_credential\",\"x_oss_date\",\"signature\",\"host\",\"dir\",\"security_token\"], list(d); assert d[\"x_oss_credential\"].endswith(\"/20241127/cn-shanghai/oss/aliyun_v4_request\"); assert d[\"dir\"]==\"user-dir/\"" "$tmp/seed.json"'

"$bin/sign_post_form" --v1 --now 2024-11-27T06:09:41Z >"$tmp/v1.json" 2>/dev/null
check "sign_post_form --v1: OSSAccessKeyId and Signature" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[\"fields\"]; assert list(d)==[\"policy\",\"OSSAccessKeyId\",\"Signature\"], list(d)" "$tmp/v1.json"'

printf '%s' '{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [{"bucket": "examplebucket"}, ["starts-with", "$key", "a/"]]}' >"$tmp/policy.json"
"$bin/sign_post_form" --policy-file "$tmp/policy.json" --v1 --now 2024-11-27T06:09:41Z >"$tmp/text.json" 2>/dev/null
check "sign_post_form --policy-file: signs the exact bytes" \
  'python3 -c "import json,sys,base64; d=json.load(open(sys.argv[1]))[\"fields\"]; assert base64.b64decode(d[\"policy\"])==open(sys.argv[2],\"rb\").read()" "$tmp/text.json" "$tmp/policy.json"'

for bad in "--region CN" "--bucket A_B" "--max-size 0" "--expires-in 0" "--expires-in 700000" "--now yesterday" "--bogus" "--v1 --seed-json" "--policy-file /nonexistent"; do
  set +e; "$bin/sign_post_form" $bad >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?; set -e
  check "sign_post_form $bad: non-zero, one stderr line, nothing on stdout" \
    '[ $rc -ne 0 ] && [ "$(grep -c . "$tmp/bad.err")" -eq 1 ] && [ ! -s "$tmp/bad.out" ]'
done

OSS_ACCESS_KEY_ID=only-id "$bin/sign_post_form" >/dev/null 2>"$tmp/env.err" && rc=0 || rc=$?
check "sign_post_form: a half-set environment names the missing variable" '[ $rc -ne 0 ] && grep -q OSS_ACCESS_KEY_SECRET "$tmp/env.err"'

OSS_ACCESS_KEY_ID=AKID OSS_ACCESS_KEY_SECRET=sec OSS_SESSION_TOKEN=TOK "$bin/sign_post_form" --now 2024-11-27T06:09:41Z >"$tmp/sts.json" 2>"$tmp/sts.err"
check "sign_post_form: STS token from the environment is posted and not noted as example" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[\"fields\"]; assert d[\"x-oss-security-token\"]==\"TOK\"; assert d[\"x-oss-credential\"].startswith(\"AKID/\")" "$tmp/sts.json" && [ ! -s "$tmp/sts.err" ]'

# temp_upload_url: the CreateTempFileUploadUrl shape; bad file names fail with one line.
"$bin/temp_upload_url" --file-name iaclone.diff --now 2022-07-29T08:15:30Z >"$tmp/temp.json" 2>/dev/null; rc=$?
check "temp_upload_url: exits 0 with the seed's fields and types" \
  '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); want=[\"Endpoint\",\"RequestId\",\"ExpireTime\",\"Success\",\"Code\",\"TempFileKey\",\"Message\",\"BucketName\",\"OssAccessKeyId\",\"Policy\",\"Signature\"]; assert list(d)[:11]==want, list(d); assert isinstance(d[\"ExpireTime\"], int) and d[\"Success\"] is True and d[\"Code\"]==\"200\"; assert d[\"TempFileKey\"].endswith(\"/iaclone.diff\")" "$tmp/temp.json"'
"$bin/temp_upload_url" --file-name iaclone.diff --now 2022-07-29T08:15:30Z --v4 >"$tmp/temp4.json" 2>/dev/null; rc=$?
check "temp_upload_url --v4: hex signature" \
  '[ $rc -eq 0 ] && python3 -c "import json,sys,re; d=json.load(open(sys.argv[1])); assert re.fullmatch(\"[0-9a-f]{64}\", d[\"Signature\"])" "$tmp/temp4.json"'
for bad in "a/b" ".." "" "x\\y"; do
  set +e; "$bin/temp_upload_url" --file-name "$bad" >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?; set -e
  check "temp_upload_url --file-name '$bad': non-zero, one stderr line" \
    '[ $rc -ne 0 ] && [ "$(grep -c . "$tmp/bad.err")" -eq 1 ] && [ ! -s "$tmp/bad.out" ]'
done

# verify_post_form: a form signed by sign_post_form, completed as the browser would, is
# accepted; a key outside the prefix or a field after the file is refused with OSS's EC; usage
# errors exit 2 with one stderr line and nothing on stdout.
"$bin/sign_post_form" --now 2024-11-27T06:09:41Z >"$tmp/signed.json" 2>/dev/null
python3 -c 'import json,sys
f = [[k, v] for k, v in json.load(open(sys.argv[1]))["fields"].items()]
json.dump(f + [["key", "user-dir/${filename}"]], open(sys.argv[2], "w"))
json.dump(f + [["key", "other/cat.png"]], open(sys.argv[3], "w"))
json.dump(f + [["file", ""], ["key", "user-dir/${filename}"]], open(sys.argv[4], "w"))' \
  "$tmp/signed.json" "$tmp/form.json" "$tmp/outside.json" "$tmp/late.json"
verify() { # form file, output prefix; sets rc
  set +e
  "$bin/verify_post_form" --form "$1" --bucket examplebucket --region cn-hangzhou \
    --file-size 1024 --file-name cat.png --now 2024-11-27T06:10:00Z >"$tmp/$2.out" 2>"$tmp/$2.err"
  rc=$?
  set -e
}
verify "$tmp/form.json" accepted
check "verify_post_form: sign_post_form's form is accepted, \${filename} expanded" \
  '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"accepted\"] is True and d[\"key\"]==\"user-dir/cat.png\" and d[\"signature_version\"]==\"V4\", d" "$tmp/accepted.out"'
check "verify_post_form: notes the example credentials" 'grep -q "example credentials" "$tmp/accepted.err"'
verify "$tmp/outside.json" refused
check "verify_post_form: a key outside the prefix exits 1 with AccessDenied 0006-00000227" \
  '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"accepted\"] is False and d[\"code\"]==\"AccessDenied\" and d[\"ec\"]==\"0006-00000227\", d" "$tmp/refused.out"'
verify "$tmp/late.json" order
check "verify_post_form: key after the file exits 1 with 0006-00000103" \
  '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"ec\"]==\"0006-00000103\", d" "$tmp/order.out"'
printf 'not json' >"$tmp/bad-form.json"
for bad in "" "--form /nonexistent --bucket examplebucket --region cn-hangzhou" "--form $tmp/bad-form.json --bucket examplebucket --region cn-hangzhou" "--form $tmp/form.json --bucket examplebucket --region cn-hangzhou --now yesterday" "--form $tmp/form.json --bucket A_B --region cn-hangzhou" "--bogus x"; do
  set +e; "$bin/verify_post_form" $bad >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?; set -e
  check "verify_post_form $bad: exit 2, one stderr line, nothing on stdout" \
    '[ $rc -eq 2 ] && [ "$(grep -c . "$tmp/bad.err")" -eq 1 ] && [ ! -s "$tmp/bad.out" ]'
done

[ $fail -eq 0 ] && echo "example contracts: all passed" || { echo "example contracts: FAILED"; exit 1; }
