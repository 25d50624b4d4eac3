#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Signed snapshots: a capture signed with an Ed25519 or ECDSA key verifies
# with that key (exit 0) and not with another (3), openssl checks its
# signature alone, and one flipped byte in any member, the signature and the
# signer's key included, makes it altered (1), with or without --key; an
# archive re-signed whole by another key is intact but not the responder's
# (3); a key that cannot sign or verify stops everything (2), nothing written.
set -u

. "$(dirname "$0")/common.sh"
for tool in openssl python3 jq; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
cd "$tmp" || exit 99

openssl genpkey -algorithm ed25519 -out ed.pem 2>/dev/null &&
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem &&
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem &&
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null &&
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa.pem 2>/dev/null &&
openssl genpkey -algorithm ed25519 -aes-128-cbc -pass pass:secret -out encrypted.pem || exit 99
for k in ed p256 p384 other rsa; do openssl pkey -in $k.pem -pubout -out $k.pub || exit 99; done

capture() {	# NAME ARGS...: a capture of the quiet fixture into NAME.tar, stderr in NAME.err
	(cd "$fixtures" && "$capaudit" snapshot "$tmp/$1.tar" --compress none -p built-in \
		--proc-root quiet "${@:2}" 2>"$tmp/$1.err")
}
expect() {	# NAME STATUS PATTERN ARGS...: snapshot --verify ARGS exits STATUS, its output matching PATTERN
	"$capaudit" snapshot --verify "${@:4}" >out 2>&1
	local rc=$?
	if [ "$rc" -eq "$2" ] && grep -q -- "$3" out; then ok "$1"; else ko "$1: exit $rc: $(tail -3 out)"; fi
}
fingerprint() { echo "SHA256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1)"; }

# 1. Each kind of key: the fingerprint is openssl's, on the line for the
# case notes and in the metadata; its own key verifies, another does not.
for k in ed p256 p384; do
	fp=$(fingerprint $k.pub)
	capture $k --sign "$tmp/$k.pem" --case IR-7
	check "$k: the line for the case notes names the case and the signer" \
		grep -q "^capaudit: snapshot $tmp/$k.tar: case IR-7, sha256 [0-9a-f]\{64\}, signed by $fp (" $k.err
	check "$k: the metadata names the signer" \
		jq -e --arg fp "$fp" '.signer_fingerprint == $fp' <(tar -xOf $k.tar metadata.json)
	expect "$k: signed by its key: exit 0" 0 "^$k.tar: intact, signed by $k.pub ($fp)$" $k.tar --key $k.pub
	expect "$k: without --key, says by whom, unchecked" 0 "^$k.tar: intact; signed by $fp, not checked: give --key$" $k.tar
	expect "$k: not by another key: exit 3" 3 "^$k.tar: intact, but NOT signed by other.pub ($(fingerprint other.pub)): signed by $fp$" \
		$k.tar --key other.pub
	tar -xf $k.tar MANIFEST.sha256 manifest.sig signer.pub
	check "$k: the archive's own key is the signer's" cmp signer.pub $k.pub
	if [ $k = ed ]; then
		check "$k: openssl pkeyutl -rawin checks the signature alone" openssl pkeyutl -verify -pubin -inkey $k.pub \
			-rawin -in MANIFEST.sha256 -sigfile manifest.sig
	else
		check "$k: openssl dgst checks the signature alone" openssl dgst "-sha${k#p}" -verify $k.pub \
			-signature manifest.sig MANIFEST.sha256
	fi
done
# A manifest beyond the writer's 64 KiB buffer is signed from its memfd
# (src/snapwriter.c): 1,000 processes of the quiet fixture's pid 3 make
# one of about 100 KiB.
mkdir big && cp -r "$fixtures/quiet/sys" "$fixtures/quiet/1" big/
python3 -c 'import shutil, sys
for p in range(100, 1100):
    shutil.copytree(sys.argv[1], "big/%d" % p)' "$fixtures/quiet/3"
(cd big && "$capaudit" snapshot ../big.tar --compress none -p built-in --proc-root . --sign "$tmp/p256.pem" 2>/dev/null)
tar -xf big.tar MANIFEST.sha256 manifest.sig
check "a manifest of $(($(stat -c %s MANIFEST.sha256) >> 10)) KiB, past the writer's buffer" \
	test "$(stat -c %s MANIFEST.sha256)" -gt 65536
expect "... is signed whole" 0 "^big.tar: intact, signed by p256.pub" big.tar --key p256.pub
check "... as openssl sees it" openssl dgst -sha256 -verify p256.pub -signature manifest.sig MANIFEST.sha256

capture unsigned
expect "unsigned, with --key: exit 3" 3 "^unsigned.tar: intact, but NOT signed, so not by ed.pub (" unsigned.tar --key ed.pub
expect "unsigned, without: intact" 0 "^unsigned.tar: intact$" unsigned.tar
check "unsigned: no signer in the metadata" jq -e '.signer_fingerprint == null' <(tar -xOf unsigned.tar metadata.json)
(cd "$fixtures" && "$capaudit" snapshot - --proc-root quiet --sign - <"$tmp/ed.pem" >"$tmp/stdin.tar" 2>/dev/null)
expect "--sign -: the key from standard input" 0 "intact, signed by ed.pub" stdin.tar --key ed.pub
expect "--key - with --verify -: refused" 2 "the archive takes standard input" - --key - <ed.tar
check "a signed capture replays as an unsigned one" diff <("$capaudit" --snapshot ed.tar --json | jq -S 'del(.host.source, .scanner)') \
	<("$capaudit" --snapshot unsigned.tar --json | jq -S 'del(.host.source, .scanner)')

# 2. One flipped byte in each member in turn (an empty file gains one; a
# link's target changes): altered, with or without the key, and the line
# says which. signer.pub and the metadata are in the manifest; the
# signature, after it, covers the manifest.
mkdir flips
python3 - ed.tar flips <<'EOF' >flips/list
import io, sys, tarfile
src = tarfile.open(sys.argv[1])
members = src.getmembers()
data = {m.name: src.extractfile(m).read() if m.isfile() else None for m in members}
for i, m in enumerate(members):
    if m.isdir():
        continue
    with tarfile.open("%s/%d.tar" % (sys.argv[2], i), "w", format=tarfile.USTAR_FORMAT) as out:
        for n in members:
            info = tarfile.TarInfo(n.name)
            info.type, info.mode, info.mtime, info.linkname = n.type, n.mode, n.mtime, n.linkname
            body = data[n.name]
            if n is m and n.issym():
                info.linkname = n.linkname[:-1] + "X"
            elif n is m:
                body = bytearray(body or b"X")
                if data[n.name]:
                    body[len(body) // 2] ^= 1
                body = bytes(body)
            if body is not None:
                info.size = len(body)
                out.addfile(info, io.BytesIO(body))
            else:
                out.addfile(info)
    print(i, m.name)
EOF
flipped=0 missed=()
while read -r i name; do
	# the line that says so: the manifest's flip can fall on any member's line
	case $name in
	manifest.sig)		want="^altered: manifest\.sig or MANIFEST\.sha256 (the signature does not verify)$" ;;
	MANIFEST.sha256)	want="^altered: " ;;
	*)			want="^altered: ${name//./\\.}$" ;;
	esac
	for key in "" ed.pub; do
		"$capaudit" snapshot --verify flips/$i.tar ${key:+--key $key} >out 2>&1
		rc=$?
		[ "$rc" -eq 1 ] && grep -q -- "$want" out && tail -1 out | grep -q ': ALTERED$' ||
			missed+=("$name${key:+ --key} (exit $rc: $(head -1 out))")
	done
	flipped=$((flipped + 1))
done <flips/list
if [ ${#missed[@]} -eq 0 ] && [ "$flipped" -gt 20 ] && grep -qx '[0-9]* manifest.sig' flips/list &&
   grep -qx '[0-9]* signer.pub' flips/list; then
	ok "a flipped byte is altered in each of the $flipped members, signature and signer's key included"
else
	ko "a flipped byte is not caught in ${#missed[@]} of $flipped members: ${missed[*]:0:4}"
fi

# 3. The signature cut short, gone; the signer's key gone; another's key
# and signature put in without the manifest; everything rewritten and
# re-signed by another key, as whoever alters the archive would.
python3 - ed.tar other.pem <<'EOF'
import hashlib, io, json, subprocess, sys, tarfile
src = tarfile.open(sys.argv[1])
members = src.getmembers()
data = {m.name: src.extractfile(m).read() if m.isfile() else None for m in members}

def write(name, changes, drop=()):
    with tarfile.open(name, "w", format=tarfile.USTAR_FORMAT) as out:
        for m in members:
            if m.name in drop:
                continue
            body = changes.get(m.name, data[m.name])
            info = tarfile.TarInfo(m.name)
            info.type, info.mode, info.mtime, info.linkname = m.type, m.mode, m.mtime, m.linkname
            if body is None:
                out.addfile(info)
            else:
                info.size = len(body)
                out.addfile(info, io.BytesIO(body))

def sign(text):
    # Ed25519 signs a whole file, not a pipe
    with open("tbs", "wb") as f:
        f.write(text)
    return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", sys.argv[2], "-rawin", "-in", "tbs"],
                          capture_output=True, check=True).stdout

pub = subprocess.run(["openssl", "pkey", "-in", sys.argv[2], "-pubout"], capture_output=True, check=True).stdout
der = subprocess.run(["openssl", "pkey", "-in", sys.argv[2], "-pubout", "-outform", "DER"],
                     capture_output=True, check=True).stdout
write("cut.tar", {"manifest.sig": data["manifest.sig"][:-1]})
write("nosig.tar", {}, drop=("manifest.sig",))
write("nopub.tar", {}, drop=("signer.pub",))
write("swapped.tar", {"signer.pub": pub, "manifest.sig": sign(data["MANIFEST.sha256"])})
meta = json.loads(data["metadata.json"])
meta["signer_fingerprint"] = "SHA256:" + hashlib.sha256(der).hexdigest()
new = {"signer.pub": pub, "metadata.json": json.dumps(meta).encode()}
lines = []
for line in data["MANIFEST.sha256"].decode().splitlines(keepends=True):
    name = line.split(" ", 3)[3].rstrip("\n")
    if name in new:
        line = hashlib.sha256(new[name]).hexdigest() + line[64:]
    lines.append(line)
new["MANIFEST.sha256"] = "".join(lines).encode()
new["manifest.sig"] = sign(new["MANIFEST.sha256"])
write("resigned.tar", new)
EOF
expect "a signature cut short: altered" 1 "^altered: manifest.sig or MANIFEST.sha256 (the signature does not verify)$" cut.tar
expect "a signature removed: altered" 1 "^missing: manifest.sig$" nosig.tar --key ed.pub
expect "the signer's key removed: altered" 1 "^missing: signer.pub$" nopub.tar
expect "another's key and signature, the manifest untouched: altered" 1 "^altered: signer.pub$" swapped.tar
expect "re-signed whole by another key: intact, but not by the responder's" 3 \
	"^resigned.tar: intact, but NOT signed by ed.pub (.*): signed by $(fingerprint other.pub)$" resigned.tar --key ed.pub

# 4. Keys that cannot sign or verify: exit 2 naming the file, before
# anything is read or written.
printf 'not a key\n' >garbage.pem
head -c 70000 /dev/zero | tr '\0' A >big.pem
refused() {	# NAME PATTERN ARGS...: a capture with ARGS is refused
	capture refused "${@:3}"
	local rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$2" refused.err && ! ls refused.tar* >/dev/null 2>&1; then
		ok "$1: exit 2, nothing written ($(head -1 refused.err))"
	else
		ko "$1: exit $rc: $(cat refused.err); $(ls refused.tar* 2>/dev/null)"
	fi
}
refused "an RSA key" "^capaudit: $tmp/rsa.pem: a key of type RSA: capaudit signs with Ed25519, or ECDSA" --sign "$tmp/rsa.pem"
refused "a public key to sign with" "^capaudit: $tmp/ed.pub: a public key: --sign takes the private key" --sign "$tmp/ed.pub"
refused "an encrypted key" "^capaudit: $tmp/encrypted.pem: an encrypted key" --sign "$tmp/encrypted.pem"
refused "no key at all" "^capaudit: $tmp/garbage.pem: not a PEM private key" --sign "$tmp/garbage.pem"
refused "a key file over 64 KiB" "^capaudit: $tmp/big.pem: larger than 65536 bytes" --sign "$tmp/big.pem"
refused "a key that is not there" "^capaudit: $tmp/none.pem: cannot read: No such file" --sign "$tmp/none.pem"
expect "a private key where the public one is wanted" 2 "^capaudit: ed.pem: a private key: --key takes the public key" \
	ed.tar --key ed.pem
expect "an RSA public key to verify with" 2 "^capaudit: rsa.pub: a key of type RSA" ed.tar --key rsa.pub

finish signed
