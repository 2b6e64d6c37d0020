#!/usr/bin/env bash
# Seed corpora for the fuzz targets, built from the test vectors (and, for RSA, fresh ciphertexts made by
# `openssl pkeyutl` under the fixed test key). Writes fuzz/corpus/<target>/seed-<sha1 prefix>; the corpus folders
# are git-ignored. Re-running rewrites the same files (RSA: adds new ciphertexts, OpenSSL's padding is random).
#
#   fuzz/seed.sh            all targets
#   fuzz/seed.sh ksn iv     only these
# Needs: jq, xxd, openssl (the RSA seeds only).
set -euo pipefail
cd "$(dirname "$0")"
V=../test-vectors
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(hex ksn iv rsa_decrypt modes_differential wire_request keystore reencrypt_roundtrip)

put() { # target, then the bytes on stdin; the file is named by its content
    mkdir -p "corpus/$1"
    local tmp
    tmp=$(mktemp)
    cat >"$tmp"
    mv "$tmp" "corpus/$1/seed-$(sha1sum <"$tmp" | cut -c1-16)"
}
hexstrings() { grep -rhoE '"[0-9A-Fa-f]{2,96}"' "$@" | tr -d '"' | sort -u; }

for t in "${targets[@]}"; do
    case "$t" in
    hex)
        hexstrings $V/kcv $V/dukpt-tdes/*.json $V/modes-aes/*.json | head -40 | while read -r h; do printf '%s' "$h" | put hex; done
        for bad in "" "0" "0g" "0x00" "abc" "ABCDEFabcdef01234" "é1"; do printf '%s' "$bad" | put hex; done
        ;;
    ksn)
        # byte 0: variant (low 2 bits) and derivation type (the rest), then the KSN as text
        i=0
        grep -rhoE '"(initial_)?ksn": *"[0-9A-F]+"' $V/dukpt-*/ | sed -E 's/.*"([0-9A-F]+)"$/\1/' | sort -u |
            while read -r k; do
                i=$((i + 1))
                { printf "\\x$(printf '%02x' $((i * 7 % 24)))"; printf '%s' "$k"; } | put ksn
                { printf '\x00'; printf '%s' "${k: -16}"; } | put ksn
            done
        ;;
    iv)
        # byte 0: algorithm, byte 1: mode (low 3 bits) and length/4 (high 5 bits), then the IV as text
        for iv in 000102030405060708090A0B0C0D0E0F F69F2445DF4F9B17AD2B417BE66C3710 0001020304050607 8ED4A2F3C1B0E9D7 0102; do
            for a in 0 1 2 3 4; do
                { printf "\\x$(printf '%02x' $a)\\x$(printf '%02x' $(((a * 3 + 1) % 8 | 8 << 3)))"; printf '%s' "$iv"; } | put iv
            done
        done
        ;;
    rsa_decrypt)
        # byte 0: padding (0 PKCS1, 1-3 OAEP SHA-1/256/512, 4 raw; bit 7 = the DER copy of the key), then
        # a ciphertext under the RSA-2048 test key
        pub=$V/rsa/generated/rsa2048.spki.pem
        msg=$(mktemp)
        printf 'paycrypt fuzz seed 0123456789' >"$msg"
        enc() { openssl pkeyutl -encrypt -pubin -inkey "$pub" -in "$1" "${@:2}"; }
        { printf '\x00'; enc "$msg" -pkeyopt rsa_padding_mode:pkcs1; } | put rsa_decrypt
        { printf '\x80'; enc "$msg" -pkeyopt rsa_padding_mode:pkcs1; } | put rsa_decrypt
        for i in 1 2 3; do
            md=(sha1 sha256 sha512); md=${md[$((i - 1))]}
            { printf "\\x0$i"; enc "$msg" -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:$md -pkeyopt rsa_mgf1_md:$md; } | put rsa_decrypt
        done
        head -c 255 /dev/zero | tr '\0' '\1' | { printf '\x00'; cat; } >"$msg"
        { printf '\x04'; enc "$msg" -pkeyopt rsa_padding_mode:none; } | put rsa_decrypt
        { printf '\x00'; head -c 256 /dev/zero; } | put rsa_decrypt
        { printf '\x04'; head -c 256 /dev/zero | tr '\0' '\377'; } | put rsa_decrypt
        rm -f "$msg"
        ;;
    modes_differential)
        # the `arbitrary` layout of `Case`: alg, mode, decrypt, key[32], iv: Option<([16], bool)>, data
        key=$(hexstrings $V/modes-aes/sp800_38a_appendix_f.json | awk 'length == 64' | head -1)
        data=$(hexstrings $V/modes-aes/sp800_38a_appendix_f.json | awk 'length == 128' | head -1)
        for a in 0 1 2 3 4; do
            for m in 0 1 2 3 4 5 6 7; do
                { printf "\\x$(printf '%02x' $a)\\x0$m\\x0$((m % 2))"; printf '%s' "$key" | xxd -r -p
                  printf '\x01'; printf '000102030405060708090A0B0C0D0E0F00' | xxd -r -p
                  printf '%s' "$data" | xxd -r -p; } | put modes_differential
            done
        done
        ;;
    wire_request | keystore | reencrypt_roundtrip)
        [[ -f seeds.d/$t.sh ]] && . "seeds.d/$t.sh"
        ;;
    *) echo "unknown target $t" >&2; exit 1 ;;
    esac
    echo "$t: $(ls "corpus/$t" 2>/dev/null | wc -l) files in fuzz/corpus/$t"
done
