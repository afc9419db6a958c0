#!/usr/bin/env bash
# Checks the example binaries' command-line contracts (README "Example binaries").
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --examples
cargo build --quiet -p upload-server
bin=${CARGO_TARGET_DIR:-target}/debug/examples
server=${CARGO_TARGET_DIR:-target}/debug/upload_server # the upload-server package's binary
fail=0
check() { # name, condition
  if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unset OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET OSS_SESSION_TOKEN
run() { # binary, arguments...: sets rc; stdout in $tmp/out, stderr in $tmp/err
  local name=$1; shift
  local exe=$bin/$name; [ "$name" != upload_server ] || exe=$server
  set +e; "$exe" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e
}
fails() { # binary, exit code: the last run exited so, printing nothing on stdout and one stderr line prefixed "binary: "
  [ $rc -eq "$2" ] && [ ! -s "$tmp/out" ] && [ "$(grep -c . "$tmp/err")" -eq 1 ] && grep -q "^$1: " "$tmp/err"
}
says() { # text: the last run's stderr holds it
  grep -qF -- "$1" "$tmp/err"
}
help_matches_readme() { # binary [file [heading]]: --help exits 0 with a usage line and the options of the table
  # under heading in file (default: README.md, "### `binary`"), on stdout only
  run "$1" --help
  [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && python3 -c 'import re,sys
name, text, readme, heading = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read(), sys.argv[4]
assert text.startswith("usage: " + name + " "), text[:60]
section = readme.split(heading, 1)[1].split("\n#", 1)[0]
table = set(re.findall(r"^\| `(--[a-z0-9-]+)", section, re.M))
shown = set(re.findall(r"^  (?:-h, )?(--[a-z0-9-]+)", text, re.M))
assert shown == table | {"--help"}, sorted(shown ^ (table | {"--help"}))' "$1" "$tmp/out" "${2:-README.md}" "${3:-### \`$1\`}" || return 1
  # Each option is known in its --opt=value form; the unknown option after it stops the
  # binary before it acts (upload_server would start serving).
  for opt in $(grep -oE '^  (-h, )?--[a-z0-9-]+' "$tmp/out" | grep -oE -- '--[a-z0-9-]+'); do
    run "$1" "$opt=x" --stop-here; ! says "unknown option \"$opt\"" || { echo "  $1 does not know $opt"; return 1; }
  done
}

# sign_post_form: no arguments signs with the documented example pair and says so on stderr.
"$bin/sign_post_form" >"$tmp/out.json" 2>"$tmp/err.txt"; rc=$?
check "sign_post_form: no arguments exits 0" '[ $rc -eq 0 ]'
check "sign_post_form: notes the example credentials" 'grep -q "^sign_post_form: .*example credentials" "$tmp/err.txt"'
check "sign_post_form: prints {url, fields, required} with V4 fields in form order and key required" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); f=list(d[\"fields\"]); assert list(d)==[\"url\",\"fields\",\"required\"], d; assert f==[\"policy\",\"x-oss-signature-version\",\"x-oss-credential\",\"x-oss-date\",\"x-oss-signature\"], f; assert d[\"required\"]==[\"key\"], d; assert d[\"url\"]==\"https://examplebucket.oss-cn-hangzhou.aliyuncs.com\"" "$tmp/out.json"'
check "sign_post_form --help: usage line and every option of the README table on stdout, exit 0" 'help_matches_readme sign_post_form'

"$bin/sign_post_form" --now 2024-11-27T06:09:41Z --region oss-cn-shanghai --post-signature-json >"$tmp/post-signature.json" 2>/dev/null
check "sign_post_form --post-signature-json: the keys of /get_post_signature_for_oss_upload" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert list(d)==[\"policy\",\"x_oss_signature_version\",\"x_oss_credential\",\"x_oss_date\",\"signature\",\"host\",\"dir\",\"security_token\"], list(d); assert d[\"x_oss_credential\"].endswith(\"/20241127/cn-shanghai/oss/aliyun_v4_request\"); assert d[\"dir\"]==\"user-dir/\"" "$tmp/post-signature.json"'

"$bin/sign_post_form" --v1 --now 2024-11-27T06:09:41Z >"$tmp/v1.json" 2>/dev/null
check "sign_post_form --v1: OSSAccessKeyId and Signature" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[\"fields\"]; assert list(d)==[\"policy\",\"OSSAccessKeyId\",\"Signature\"], list(d)" "$tmp/v1.json"'

"$bin/sign_post_form" --now=2024-11-27T06:09:41Z --region=cn-beijing --dir=a/ --max-size=5 --expires-in=60 >"$tmp/eq.json" 2>/dev/null
"$bin/sign_post_form" --now 2024-11-27T06:09:41Z --region cn-beijing --dir a/ --max-size 5 --expires-in 60 >"$tmp/space.json" 2>/dev/null
check "sign_post_form: --opt=value signs what --opt value signs" \
  'cmp -s "$tmp/eq.json" "$tmp/space.json" && grep -q "cn-beijing" "$tmp/eq.json"'

printf '%s' '{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [{"bucket": "examplebucket"}, ["starts-with", "$key", "a/"]]}' >"$tmp/policy.json"
"$bin/sign_post_form" --policy-file "$tmp/policy.json" --v1 --now 2024-11-27T06:09:41Z >"$tmp/text.json" 2>/dev/null
check "sign_post_form --policy-file: signs the exact bytes" \
  'python3 -c "import json,sys,base64; d=json.load(open(sys.argv[1]))[\"fields\"]; assert base64.b64decode(d[\"policy\"])==open(sys.argv[2],\"rb\").read()" "$tmp/text.json" "$tmp/policy.json"'

for bad in "--region CN" "--bucket A_B" "--max-size 0" "--expires-in 0" "--expires-in 700000" "--expires-in 999999999999" "--region oss-cn-hangzhou.aliyuncs.com" "--policy-file /nonexistent"; do
  run sign_post_form $bad
  check "sign_post_form $bad: refused, exit 1, one 'sign_post_form: ' line on stderr, nothing on stdout" 'fails sign_post_form 1'
done
for bad in "--bogus" "extra" "--now yesterday" "--max-size ten" "--v1=yes" "--v1 --post-signature-json" "--region" "--region --bucket x" "--policy-file $tmp/policy.json --dir a/" "--policy-file $tmp/policy.json --max-size 5 --expires-in 60"; do
  run sign_post_form $bad
  check "sign_post_form $bad: usage error, exit 2, one 'sign_post_form: ' line on stderr, nothing on stdout" 'fails sign_post_form 2'
done
run sign_post_form --region --bucket x
check "sign_post_form --region --bucket x: says --region needs a value" 'says "--region needs a value"'
run sign_post_form --max-size 0
check "sign_post_form --max-size 0: names the flag" 'says "--max-size must be at least 1"'
run sign_post_form --region oss-cn-hangzhou.aliyuncs.com
check "sign_post_form --region oss-cn-hangzhou.aliyuncs.com: an endpoint, whose region is cn-hangzhou" 'says "is an endpoint" && says "region is cn-hangzhou"'
run sign_post_form --policy-file "$tmp/policy.json" --max-size 5 --expires-in 60
check "sign_post_form --policy-file with builder options: names them" 'says "--max-size" && says "--expires-in"'
run sign_post_form --expires-in 999999999999
check "sign_post_form --expires-in 999999999999: the time-out-of-range error, not a capped expiration" 'says "--expires-in 999999999999" && says "after the year 9999"'

OSS_ACCESS_KEY_ID=only-id "$bin/sign_post_form" >/dev/null 2>"$tmp/env.err" && rc=0 || rc=$?
check "sign_post_form: a half-set environment names the missing variable" '[ $rc -eq 1 ] && grep -q OSS_ACCESS_KEY_SECRET "$tmp/env.err"'

OSS_ACCESS_KEY_ID=AKID OSS_ACCESS_KEY_SECRET=sec OSS_SESSION_TOKEN=TOK "$bin/sign_post_form" --now 2024-11-27T06:09:41Z >"$tmp/sts.json" 2>"$tmp/sts.err"
check "sign_post_form: STS token from the environment is posted and not noted as example" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[\"fields\"]; assert d[\"x-oss-security-token\"]==\"TOK\"; assert d[\"x-oss-credential\"].startswith(\"AKID/\")" "$tmp/sts.json" && [ ! -s "$tmp/sts.err" ]'

# temp_upload_url: the Cloud Backup API CreateTempFileUploadUrl shape, V4 by default, the API's
# legacy V1 with --v1; bad input fails with one line.
"$bin/temp_upload_url" --file-name iaclone.diff --now 2022-07-29T08:15:30Z >"$tmp/temp4.json" 2>"$tmp/temp4.err"; rc=$?
check "temp_upload_url: V4 by default, the API's fields then OssSignatureVersion, OssCredential, OssDate" \
  '[ $rc -eq 0 ] && python3 -c "import json,sys,re; d=json.load(open(sys.argv[1])); want=[\"Endpoint\",\"RequestId\",\"ExpireTime\",\"Success\",\"Code\",\"TempFileKey\",\"Message\",\"BucketName\",\"OssAccessKeyId\",\"Policy\",\"Signature\",\"OssSignatureVersion\",\"OssCredential\",\"OssDate\"]; assert list(d)==want, list(d); assert re.fullmatch(\"[0-9a-f]{64}\", d[\"Signature\"]), d[\"Signature\"]; assert d[\"OssSignatureVersion\"]==\"OSS4-HMAC-SHA256\" and d[\"OssDate\"]==\"20220729T081530Z\"; assert d[\"OssCredential\"].endswith(\"/20220729/cn-shenzhen/oss/aliyun_v4_request\")" "$tmp/temp4.json"'
check "temp_upload_url: notes the example credentials" 'grep -q "^temp_upload_url: .*example credentials" "$tmp/temp4.err"'
"$bin/temp_upload_url" --file-name iaclone.diff --now 2022-07-29T08:15:30Z --v1 >"$tmp/temp.json" 2>/dev/null; rc=$?
check "temp_upload_url --v1: exactly the API's eleven fields and types" \
  '[ $rc -eq 0 ] && python3 -c "import json,sys,base64; d=json.load(open(sys.argv[1])); want=[\"Endpoint\",\"RequestId\",\"ExpireTime\",\"Success\",\"Code\",\"TempFileKey\",\"Message\",\"BucketName\",\"OssAccessKeyId\",\"Policy\",\"Signature\"]; assert list(d)==want, list(d); assert isinstance(d[\"ExpireTime\"], int) and d[\"Success\"] is True and d[\"Code\"]==\"200\"; assert d[\"TempFileKey\"].endswith(\"/iaclone.diff\"); assert len(base64.b64decode(d[\"Signature\"]))==20" "$tmp/temp.json"'
check "temp_upload_url --help: usage line and every option of the README table on stdout, exit 0" 'help_matches_readme temp_upload_url'
"$bin/temp_upload_url" --file-name=iaclone.diff --now=2022-07-29T08:15:30Z --max-size=9 >"$tmp/eq.json" 2>/dev/null
"$bin/temp_upload_url" --file-name iaclone.diff --now 2022-07-29T08:15:30Z --max-size 9 >"$tmp/space.json" 2>/dev/null
check "temp_upload_url: --opt=value signs what --opt value signs" 'cmp -s "$tmp/eq.json" "$tmp/space.json"'
for bad in "a/b" ".." "" "x\\y"; do
  run temp_upload_url --file-name "$bad"
  check "temp_upload_url --file-name '$bad': refused, exit 1, one 'temp_upload_url: ' line" 'fails temp_upload_url 1'
done
for bad in "--max-size 0" "--expires-in 0" "--expires-in 999999999999" "--region oss-cn-shenzhen.aliyuncs.com" "--bucket A_B"; do
  run temp_upload_url --file-name a.txt $bad
  check "temp_upload_url --file-name a.txt $bad: refused, exit 1, one 'temp_upload_url: ' line" 'fails temp_upload_url 1'
done
for bad in "" "--file-name a.txt --v4" "--file-name a.txt --bogus" "--file-name --region cn-shenzhen" "--file-name a.txt --now yesterday" "--file-name a.txt --max-size -1"; do
  run temp_upload_url $bad
  check "temp_upload_url $bad: usage error, exit 2, one 'temp_upload_url: ' line" 'fails temp_upload_url 2'
done
run temp_upload_url --file-name a.txt --max-size 0
check "temp_upload_url --max-size 0: names the flag" 'says "--max-size must be at least 1"'
run temp_upload_url --file-name --region cn-shenzhen
check "temp_upload_url --file-name --region ...: says --file-name needs a value" 'says "--file-name needs a value"'
run temp_upload_url --file-name a.txt --region oss-cn-shenzhen.aliyuncs.com
check "temp_upload_url --region oss-cn-shenzhen.aliyuncs.com: an endpoint, whose region is cn-shenzhen" 'says "is an endpoint" && says "region is cn-shenzhen"'
run temp_upload_url --file-name a.txt --expires-in 999999999999
check "temp_upload_url --expires-in 999999999999: the time-out-of-range error, not a capped expiration" 'says "--expires-in 999999999999" && says "after the year 9999"'

# verify_post_form: a form signed by sign_post_form, completed as the browser would (as
# [name, value] pairs, or sign_post_form's own output plus --field), is accepted (exit 0); a key
# outside the prefix, a missing key or a field after the file is refused with OSS's EC (exit 1);
# when the check cannot run (usage, unreadable or malformed form, bad bucket or region, half-set
# credentials) it exits 2 with one stderr line and nothing on stdout.
"$bin/sign_post_form" --now 2024-11-27T06:09:41Z >"$tmp/signed.json" 2>/dev/null
python3 -c 'import json,sys
f = [[k, v] for k, v in json.load(open(sys.argv[1]))["fields"].items()]
json.dump(f + [["key", "user-dir/${filename}"]], open(sys.argv[2], "w"))
json.dump(f + [["key", "other/cat.png"]], open(sys.argv[3], "w"))
json.dump(f + [["file", ""], ["key", "user-dir/${filename}"]], open(sys.argv[4], "w"))
json.dump(f + [["file", ""]], open(sys.argv[5], "w"))' \
  "$tmp/signed.json" "$tmp/form.json" "$tmp/outside.json" "$tmp/late.json" "$tmp/marked.json"
verify() { # form file, output prefix, more arguments...; sets rc
  local form=$1 out=$2; shift 2
  set +e
  "$bin/verify_post_form" --form "$form" --bucket examplebucket --region cn-hangzhou \
    --file-size 1024 --file-name cat.png --now 2024-11-27T06:10:00Z "$@" >"$tmp/$out.out" 2>"$tmp/$out.err"
  rc=$?
  set -e
}
verify "$tmp/form.json" accepted
check "verify_post_form: sign_post_form's form is accepted, \${filename} expanded" \
  '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"accepted\"] is True and d[\"key\"]==\"user-dir/cat.png\" and d[\"signature_version\"]==\"V4\", d" "$tmp/accepted.out"'
check "verify_post_form: notes the example credentials" 'grep -q "^verify_post_form: .*example credentials" "$tmp/accepted.err"'
verify "$tmp/signed.json" object --field 'key=user-dir/${filename}'
check "verify_post_form: sign_post_form's own output plus --field key=... is accepted as the same [name, value] pairs are" \
  '[ $rc -eq 0 ] && cmp -s "$tmp/object.out" "$tmp/accepted.out"'
verify "$tmp/signed.json" fields --field x-oss-meta-b=2 --field=key=user-dir/cat.png --field x-oss-meta-a=1=one
check "verify_post_form --field: added after the form's fields in the order given, before the file (accepted)" \
  '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"key\"]==\"user-dir/cat.png\" and d[\"metadata\"]==[[\"x-oss-meta-b\",\"2\"],[\"x-oss-meta-a\",\"1=one\"]], d" "$tmp/fields.out"'
verify "$tmp/marked.json" marked --field 'key=user-dir/${filename}'
check "verify_post_form --field: goes before the form's own file entry" \
  '[ $rc -eq 0 ] && cmp -s "$tmp/marked.out" "$tmp/accepted.out"'
verify "$tmp/signed.json" missing
check "verify_post_form: a required field not added (key) exits 1 with OSS's InvalidArgument 0006-00000103 naming it, stdout one JSON object" \
  '[ $rc -eq 1 ] && [ "$(grep -c . "$tmp/missing.out")" -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"accepted\"] is False and d[\"code\"]==\"InvalidArgument\" and d[\"ec\"]==\"0006-00000103\" and d[\"argument_value\"]==\"key\", d" "$tmp/missing.out"'
verify "$tmp/outside.json" refused
check "verify_post_form: a key outside the prefix exits 1 with AccessDenied 0006-00000227" \
  '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"accepted\"] is False and d[\"code\"]==\"AccessDenied\" and d[\"ec\"]==\"0006-00000227\", d" "$tmp/refused.out"'
verify "$tmp/late.json" order
check "verify_post_form: key after the file exits 1 with 0006-00000103" \
  '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"ec\"]==\"0006-00000103\", d" "$tmp/order.out"'
check "verify_post_form --help: usage line and every option of the README table on stdout, exit 0" 'help_matches_readme verify_post_form'
"$bin/verify_post_form" --form="$tmp/form.json" --bucket=examplebucket --region=cn-hangzhou --file-size=1024 \
  --file-name=cat.png --now=2024-11-27T06:10:00Z >"$tmp/eq.out" 2>/dev/null || true
check "verify_post_form: --opt=value checks what --opt value checks" 'cmp -s "$tmp/eq.out" "$tmp/accepted.out"'
run verify_post_form --form - --bucket examplebucket --region cn-hangzhou --now 2024-11-27T06:10:00Z --file-name cat.png --file-size 1 <"$tmp/form.json"
check "verify_post_form --form -: reads the form from stdin" 'grep -q "\"key\":\"user-dir/cat.png\"" "$tmp/out"'
printf 'not json' >"$tmp/bad-form.json"
target="--bucket examplebucket --region cn-hangzhou"
for bad in "" "--form /nonexistent $target" "--form $tmp/bad-form.json $target" "--form $tmp/form.json $target --now yesterday" \
  "--form $tmp/form.json --bucket A_B --region cn-hangzhou" "--form $tmp/form.json --bucket examplebucket --region oss-cn-hangzhou.aliyuncs.com" \
  "--form $tmp/form.json $target --file-size ten" "--form $tmp/form.json $target --allow-anonymous=yes" "--form $tmp/form.json $target extra" \
  "--bogus x" "--form --bucket examplebucket --region cn-hangzhou" "--form $tmp/post-signature.json $target" \
  "--form $tmp/form.json $target --field key" "--form $tmp/form.json $target --field =x" "--form $tmp/form.json $target --field file=x" \
  "--form $tmp/form.json $target --field"; do
  run verify_post_form $bad
  check "verify_post_form $bad: exit 2, one 'verify_post_form: ' line on stderr, nothing on stdout" 'fails verify_post_form 2'
done
run verify_post_form --form --bucket examplebucket --region cn-hangzhou
check "verify_post_form --form --bucket ...: says --form needs a value" 'says "--form needs a value"'
run verify_post_form --form "$tmp/signed.json" $target --field key
check "verify_post_form --field key: says it is not NAME=VALUE" 'says "--field \"key\" is not NAME=VALUE"'
run verify_post_form --form "$tmp/post-signature.json" $target
check "verify_post_form --form with another object: says it is not sign_post_form's object" 'says "is not sign_post_form'"'"'s {\"url\", \"fields\", \"required\"} object"'
run verify_post_form --form "$tmp/form.json" --bucket examplebucket
check "verify_post_form without --region: says it is required" 'says "--region is required"'
run verify_post_form --form "$tmp/form.json" --bucket examplebucket --region oss-cn-hangzhou.aliyuncs.com
check "verify_post_form --region oss-cn-hangzhou.aliyuncs.com: an endpoint, whose region is cn-hangzhou" 'says "is an endpoint" && says "region is cn-hangzhou"'
set +e; OSS_ACCESS_KEY_ID=only-id "$bin/verify_post_form" --form "$tmp/form.json" $target >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e
check "verify_post_form: a half-set environment exits 2 naming the missing variable" 'fails verify_post_form 2 && says OSS_ACCESS_KEY_SECRET'

# upload_server: --help, usage errors (exit 2) and refused input (exit 1) with one stderr line,
# nothing on stdout and nothing created; a good command line serves until interrupted (exit 0).
# Its HTTP behaviour is tested by examples/upload-server/tests/ and tests/e2e/.
serve() { # arguments...: upload_server on a free port with data folder $tmp/data, interrupted (Ctrl-C) after 5 s; sets rc
  rm -rf "$tmp/data"
  set +e
  timeout --preserve-status -s INT 5 "$server" --listen 127.0.0.1:0 --data-dir "$tmp/data" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  set -e
}
check "upload_server --help: usage line and every option of the examples/README.md "Options" table on stdout, exit 0" \
  'help_matches_readme upload_server examples/README.md "### Options"'
for bad in "--bogus" "extra" "--listen nowhere" "--max-size ten" "--expires-in soon" "--temp-upload-v1=yes" "--region" "--region --bucket x" \
  "--read-timeout soon" "--max-uploads -1" "--max-request-size 5GB" "--max-part-header 1.5" \
  "--min-body-rate fast" "--min-body-rate -1" "--max-connections many" "--max-connections 1e3"; do
  serve $bad
  check "upload_server $bad: usage error, exit 2, one 'upload_server: ' line on stderr, nothing on stdout" 'fails upload_server 2 && [ ! -e "$tmp/data" ]'
done
for bad in "--bucket A_B" "--region CN" "--region oss-cn-hangzhou.aliyuncs.com" "--max-size 0" "--expires-in 0" "--expires-in 700000" \
  "--expires-in 999999999999" "--oss-host ftp://bucket.example" "--public-url example.com" "--guide-page /nonexistent" \
  "--read-timeout 0" "--max-uploads 0" "--max-request-size 0" "--max-part-header 0" "--max-connections 0"; do
  serve $bad
  check "upload_server $bad: refused, exit 1, one 'upload_server: ' line on stderr, nothing on stdout or on disk" 'fails upload_server 1 && [ ! -e "$tmp/data" ]'
done
serve --region --bucket x
check "upload_server --region --bucket x: says --region needs a value" 'says "--region needs a value"'
serve --max-size 0
check "upload_server --max-size 0: names the flag" 'says "--max-size must be at least 1"'
serve --read-timeout 0
check "upload_server --read-timeout 0: names the flag" 'says "--read-timeout must be at least 1"'
serve --max-connections 0
check "upload_server --max-connections 0: names the flag" 'says "--max-connections must be at least 1"'
serve --min-body-rate 0 --max-connections 1
check "upload_server --min-body-rate 0 --max-connections 1: serves until interrupted, exit 0" '[ $rc -eq 0 ] && grep -q "listening on" "$tmp/out"'
serve --region oss-cn-hangzhou.aliyuncs.com
check "upload_server --region oss-cn-hangzhou.aliyuncs.com: an endpoint, whose region is cn-hangzhou" 'says "is an endpoint" && says "region is cn-hangzhou"'
serve --expires-in 999999999999
check "upload_server --expires-in 999999999999: the time-out-of-range error" 'says "--expires-in 999999999999" && says "after the year 9999"'
# The upload-callback options (examples/README.md, "Upload callbacks").
for bad in "--callback-timeout soon" "--callback-max-response 3MB" "--callback-max-body -1" "--callback-allow-any-host=yes"; do
  serve $bad
  check "upload_server $bad: usage error, exit 2, one 'upload_server: ' line on stderr, nothing on stdout" 'fails upload_server 2 && [ ! -e "$tmp/data" ]'
done
for bad in "--callback-timeout 0" "--callback-max-response 0" "--callback-max-body 0"; do
  serve $bad
  check "upload_server $bad: refused naming the flag, exit 1, nothing on stdout or on disk" 'fails upload_server 1 && says "${bad% *} must be at least 1" && [ ! -e "$tmp/data" ]'
done
set +e; OSS_ACCESS_KEY_ID=only-id timeout --preserve-status -s INT 5 "$server" --listen 127.0.0.1:0 --data-dir "$tmp/data" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e
check "upload_server: a half-set environment is refused, naming the missing variable" 'fails upload_server 1 && says OSS_ACCESS_KEY_SECRET'
serve --region=cn-beijing --bucket=other-bucket --temp-upload-v1
check "upload_server: serves until interrupted (exit 0), printing where it listens and noting the example credentials" \
  '[ $rc -eq 0 ] && grep -qE "^upload_server: listening on http://127\.0\.0\.1:[0-9]+$" "$tmp/out" && grep -qE "^upload_server: browsers upload to http://127\.0\.0\.1:[0-9]+/oss/other-bucket$" "$tmp/out" && grep -q "^upload_server: .*example credentials" "$tmp/err" && [ -d "$tmp/data/other-bucket" ]'

# verify_callback (feature callback-verify): OSS's public example signature verifies (exit 0);
# a tampered body or an empty authorization is refused with a reason (exit 1, JSON on stdout);
# an unknown or missing option is a usage error (exit 2, one stderr line).
cargo build --quiet --example verify_callback --features callback-verify
printf 'bucket=yonghu-test' >"$tmp/cb-body"
printf 'bucket=yonghu-tesu' >"$tmp/cb-tampered"
cb_auth='kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA=='
cb_url='aHR0cDovL2dvc3NwdWJsaWMuYWxpY2RuLmNvbS9jYWxsYmFja19wdWJfa2V5X3YxLnBlbQ=='
run verify_callback --path /index.php --query 'id=1&index=2' --body-file "$tmp/cb-body" --authorization "$cb_auth" --pub-key-url "$cb_url"
check "verify_callback: OSS's documented signature verifies, exit 0, the body's entries" \
  '[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"verified\"] is True, d; assert d[\"callback\"][\"entries\"]==[[\"bucket\",\"yonghu-test\"]], d" "$tmp/out"'
run verify_callback --path /index.php --query 'id=1&index=2' --body-file "$tmp/cb-tampered" --authorization "$cb_auth" --pub-key-url "$cb_url"
check "verify_callback: a tampered body is refused, exit 1, with a reason naming the signature" \
  '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"verified\"] is False and \"signature\" in d[\"reason\"], d" "$tmp/out"'
run verify_callback --path /index.php --body-file "$tmp/cb-body" --authorization "$cb_auth" --pub-key-url "$cb_url"
check "verify_callback: without the signed query, refused, exit 1" '[ $rc -eq 1 ] && grep -q "\"verified\":false" "$tmp/out"'
run verify_callback --path /index.php --query 'id=1&index=2' --body-file "$tmp/cb-body" --authorization '' --pub-key-url "$cb_url"
check "verify_callback: an empty authorization is a refusal, exit 1, with a reason" \
  '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"verified\"] is False and \"authorization\" in d[\"reason\"], d" "$tmp/out"'
run verify_callback --path /index.php --query 'id=1&index=2' --body-file "$tmp/cb-body" --authorization "$cb_auth" --pub-key-url "$(printf 'https://gosspublic.alicdn.com.evil.example/k.pem' | base64 -w0)"
check "verify_callback: a key URL off gosspublic.alicdn.com is refused, exit 1" '[ $rc -eq 1 ] && grep -q "gosspublic" "$tmp/out"'
check "verify_callback --help: usage line and every option of the README table on stdout, exit 0" 'help_matches_readme verify_callback'
for bad in "--bogus" "--path /index.php" "--path /index.php --body-file $tmp/cb-body --authorization x" "--path"; do
  run verify_callback $bad
  check "verify_callback $bad: usage error, exit 2, one 'verify_callback: ' line on stderr, nothing on stdout" 'fails verify_callback 2'
done
run verify_callback --path /x --body-file "$tmp/missing" --authorization x --pub-key-url y
check "verify_callback: an unreadable body file, exit 2, one line" 'fails verify_callback 2'
# presign_url: the Go SDK v2's public vector TestV4AuthQuery (oss/signer/signer_test.go) reproduced
# through the command line; the JSON's keys; bad input exits 1, a bad command line 2.
go_vector="--method PUT --bucket bucket --key 1234+-/123/1.txt --now 2023-12-17T02:54:37Z --expires-in 599 --header x-oss-head1:value --header content-type:application/octet-stream --query param1=value1 --query +param1=value3 --query |param1=value4 --query +param2= --query |param2= --query param2="
set +e; OSS_ACCESS_KEY_ID=ak OSS_ACCESS_KEY_SECRET=sk "$bin/presign_url" $go_vector >"$tmp/presign.json" 2>"$tmp/presign.err"; rc=$?; set -e
check "presign_url: the Go SDK's TestV4AuthQuery signature, {method, url, headers, expiration}, exit 0" \
  '[ $rc -eq 0 ] && [ ! -s "$tmp/presign.err" ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert list(d)==[\"method\",\"url\",\"headers\",\"expiration\"], d; assert d[\"url\"].startswith(\"https://bucket.oss-cn-hangzhou.aliyuncs.com/1234%2B-/123/1.txt?\"), d; assert d[\"url\"].endswith(\"&x-oss-signature=a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe\"), d; assert d[\"headers\"]=={\"content-type\":\"application/octet-stream\",\"x-oss-head1\":\"value\"}, d; assert d[\"expiration\"]==\"2023-12-17T03:04:36Z\", d" "$tmp/presign.json"'
run presign_url --method GET --bucket examplebucket --key a.txt
check "presign_url: no credentials signs with the example pair and says so" '[ $rc -eq 0 ] && grep -q "^presign_url: .*example credentials" "$tmp/err" && grep -q "x-oss-credential=44CF9590006BF252F707%2F" "$tmp/out"'
run presign_url --method PUT --bucket examplebucket --key k --header "Cache-Control: no-cache" --header "Content-Type: text/plain" --additional-header CACHE-CONTROL --additional-header Content-Type --query uploads= --now 2024-11-27T06:09:41Z
check "presign_url --additional-header: lower-cased, sorted, only the ones not signed by default; an empty query value is a bare name" \
  '[ $rc -eq 0 ] && grep -q "?uploads&x-oss-additional-headers=cache-control&x-oss-credential=" "$tmp/out"'
check "presign_url --help: usage line and every option of the README table on stdout, exit 0" 'help_matches_readme presign_url'
"$bin/presign_url" --method=GET --bucket=examplebucket --key=a --now=2024-11-27T06:09:41Z --query=x=1 >"$tmp/eq.json" 2>/dev/null
"$bin/presign_url" --method GET --bucket examplebucket --key a --now 2024-11-27T06:09:41Z --query x=1 >"$tmp/space.json" 2>/dev/null
check "presign_url: --opt=value signs what --opt value signs" 'cmp -s "$tmp/eq.json" "$tmp/space.json"'
for bad in "--expires-in 0" "--expires-in 604801" "--expires-in -5" "--method put" "--method OPTIONS" "--bucket A_B" "--key ''" "--region CN" \
  "--region oss-cn-hangzhou.aliyuncs.com" "--header Cache-Control:no-cache" "--additional-header range" "--header x-oss-meta-a:" \
  "--query x-oss-signature=1" "--query a=1 --query a=2" "--header bad\ name:1"; do
  eval "run presign_url --method PUT --bucket examplebucket --key k $bad"
  check "presign_url $bad: refused, exit 1, one 'presign_url: ' line on stderr, nothing on stdout" 'fails presign_url 1'
done
for bad in "" "--bucket examplebucket --key k" "--method PUT --key k" "--method PUT --bucket examplebucket" \
  "--method PUT --bucket examplebucket --key k --expires-in ten" "--method PUT --bucket examplebucket --key k --now yesterday" \
  "--method PUT --bucket examplebucket --key k --header no-colon" "--method PUT --bucket examplebucket --key k --query no-equals" \
  "--method PUT --bucket examplebucket --key k --bogus" "--method --bucket examplebucket --key k"; do
  run presign_url $bad
  check "presign_url $bad: usage error, exit 2, one 'presign_url: ' line on stderr, nothing on stdout" 'fails presign_url 2'
done
run presign_url --method PUT --bucket examplebucket --key k --expires-in 604801
check "presign_url --expires-in 604801: says the range" 'says "1 to 604800"'
run presign_url --method PUT --bucket examplebucket --key k --header "Cache-Control: no-cache"
check "presign_url --header Cache-Control without --additional-header: names the header" 'says "Cache-Control is not signed unless"'

[ $fail -eq 0 ] && echo "example contracts: all passed" || { echo "example contracts: FAILED"; exit 1; }
