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
[[ ${#targets[@]} -eq 0 ]] && mapfile -t targets < <(cargo +nightly fuzz list)

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
    control_request)
        # byte 0: the operation's index in paycrypt::wire::control::OPERATIONS, then the body (EMULATOR.md §4)
        P=arn:aws:payment-cryptography:us-east-2:111122223333:key/
        D0='{"KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyClass":"SYMMETRIC_KEY","KeyAlgorithm":"AES_128","KeyModesOfUse":{"Encrypt":true,"Decrypt":true,"Wrap":true,"Unwrap":true}}'
        while IFS=' ' read -r op line; do
            { printf "\\x$(printf '%02x' "$op")"; printf '%s' "$line"; } | put control_request
        done <<JSON
3 {"KeyAttributes":$D0,"Exportable":true,"Enabled":true,"KeyCheckValueAlgorithm":"CMAC","Tags":[{"Key":"env","Value":"test"},{"Key":"_custom_key_material_","Value":"00112233445566778899AABBCCDDEEFF"}]}
3 {"KeyAttributes":{"KeyUsage":"TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION","KeyClass":"ASYMMETRIC_KEY_PAIR","KeyAlgorithm":"RSA_2048","KeyModesOfUse":{"Encrypt":true,"Decrypt":true,"Wrap":true,"Unwrap":true}},"Exportable":false}
14 {"KeyIdentifier":"alias/test-key"}
22 {"KeyState":"CREATE_COMPLETE","MaxResults":10,"NextToken":"abcdefghijklmnop"}
5 {"KeyIdentifier":"${P}abcdefghijklmnop","DeleteKeyInDays":3}
2 {"AliasName":"alias/team/one","KeyArn":"${P}abcdefghijklmnop"}
31 {"AliasName":"alias/team/one"}
21 {"KeyArn":"${P}abcdefghijklmnop","MaxResults":2}
29 {"ResourceArn":"${P}abcdefghijklmnop","Tags":[{"Key":"a","Value":"b"}]}
30 {"ResourceArn":"${P}abcdefghijklmnop","TagKeys":["a","b"]}
17 {"KeyMaterialType":"KEY_CRYPTOGRAM","WrappingKeyAlgorithm":"RSA_2048","ReuseLastGeneratedToken":true}
20 {"KeyMaterial":{"KeyCryptogram":{"KeyAttributes":$D0,"Exportable":true,"ImportToken":"import-token-abcdefghijklmnopqrstuvwx","WrappedKeyCryptogram":"0123456789ABCDEF0123456789ABCDEF","WrappingSpec":"RSA_OAEP_SHA_256"}}}
20 {"KeyMaterial":{"Tr31KeyBlock":{"WrappingKeyIdentifier":"alias/kek","WrappedKeyBlock":"D0112D0AB00E0000C09BD8E5A2D8DDA06B9E76E2CE46B1E2DE8AFC0F6B1E1D5B3B1F9B2C9A6F3E1D6B8F2C8C2F0A1E7B3C5D9E2F4A6B8C0D1E3F5A7B9C"}},"Enabled":true}
20 {"KeyMaterial":{"RootCertificatePublicKey":{"KeyAttributes":{"KeyUsage":"TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE","KeyClass":"PUBLIC_KEY","KeyAlgorithm":"RSA_2048","KeyModesOfUse":{"Verify":true}},"PublicKeyCertificate":"LS0tLS1CRUdJTg=="}}}
20 {"KeyMaterial":{"Tr34KeyBlock":{"CertificateAuthorityPublicKeyIdentifier":"alias/ca","SigningKeyCertificate":"AAAA","ImportToken":"import-token-abcdefghijklmnop","WrappedKeyBlock":"00","KeyBlockFormat":"X9_TR34_2012"}}}
10 {"ExportKeyIdentifier":"alias/key","KeyMaterial":{"Tr31KeyBlock":{"WrappingKeyIdentifier":"alias/kek","KeyBlockHeaders":{"KeyModesOfUse":{"Encrypt":true},"KeyExportability":"SENSITIVE","KeyVersion":"01","OptionalBlocks":{"KS":"00604B120F9292800000"}}}}}
10 {"ExportKeyIdentifier":"alias/bdk","KeyMaterial":{"Tr31KeyBlock":{"WrappingKeyIdentifier":"alias/kek"}},"ExportAttributes":{"ExportDukptInitialKey":{"KeySerialNumber":"FFFF9876543210E00001"},"KeyCheckValueAlgorithm":"ANSI_X9_24"}}
18 {"KeyIdentifier":"alias/rsa"}
26 {}
16 {"KeyMaterialType":"TR34_KEY_BLOCK","SigningKeyAlgorithm":"RSA_2048"}
JSON
        ;;
    wire_request)
        # one request per line: the worked cases of DECISIONS.md §7 and one of each side kind, valid and not
        P=arn:aws:payment-cryptography:us-east-2:111122223333:key/
        rsa_ct=$(printf 'fuzz seed plaintext 0123456789ABCDEF' | openssl pkeyutl -encrypt -pubin \
            -inkey ../tests/fixtures/rsa2048-pub.pem -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
            -pkeyopt rsa_mgf1_md:sha256 | xxd -p -u | tr -d '\n')
        while IFS= read -r line; do [[ -n "$line" ]] && printf '%s' "$line" | put wire_request; done <<JSON
{"IncomingKeyIdentifier":"alias/tdes-bdk","OutgoingKeyIdentifier":"alias/tdes","CipherText":"124F7A32F3F84187","IncomingEncryptionAttributes":{"Dukpt":{"KeySerialNumber":"FFFF9876543210E00001","Mode":"ECB"}},"OutgoingEncryptionAttributes":{"Symmetric":{"Mode":"ECB"}}}
{"KeyIdentifier":"alias/tdes","PlainText":"0102030405060708","EncryptionAttributes":{"Symmetric":{"Mode":"ECB"}}}
{"KeyIdentifier":"${P}tdes2key0000000001","CipherText":"b064b6c2571c65d5","DecryptionAttributes":{"Symmetric":{"Mode":"ECB"}}}
{"KeyIdentifier":"${P}aes128key000000001","PlainText":"00112233445566778899AABBCCDDEEFF","EncryptionAttributes":{"Symmetric":{"Mode":"CBC","InitializationVector":"000102030405060708090A0B0C0D0E0F"}}}
{"KeyIdentifier":"${P}aes256key000000001","CipherText":"00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF","DecryptionAttributes":{"Symmetric":{"Mode":"CFB8","InitializationVector":"000102030405060708090A0B0C0D0E0F"}}}
{"KeyIdentifier":"${P}tdes3key0000000001","CipherText":"0011223344556677","DecryptionAttributes":{"Symmetric":{"Mode":"CFB1","InitializationVector":"0001020304050607","PaddingType":"PKCS1"}}}
{"KeyIdentifier":"alias/aes-bdk","PlainText":"00112233445566778899AABBCCDDEEFF","EncryptionAttributes":{"Dukpt":{"KeySerialNumber":"123456789012345600000001","Mode":"CBC","DukptKeyDerivationType":"AES_128","DukptKeyVariant":"REQUEST","InitializationVector":"000102030405060708090A0B0C0D0E0F"}}}
{"IncomingKeyIdentifier":"alias/aes-bdk","OutgoingKeyIdentifier":"${P}rsa2048public00001","CipherText":"00112233445566778899AABBCCDDEEFF","IncomingEncryptionAttributes":{"Dukpt":{"KeySerialNumber":"1234567890123456FFFF0001","DukptKeyDerivationType":"TDES_2KEY","DukptKeyVariant":"RESPONSE"}},"OutgoingEncryptionAttributes":{"Asymmetric":{"PaddingType":"OAEP_SHA1"}}}
{"IncomingKeyIdentifier":"alias/rsa/2048","OutgoingKeyIdentifier":"${P}aes192key000000001","CipherText":"$rsa_ct","IncomingEncryptionAttributes":{"Asymmetric":{"PaddingType":"OAEP_SHA256"}},"OutgoingEncryptionAttributes":{"Symmetric":{"Mode":"OFB","InitializationVector":"000102030405060708090A0B0C0D0E0F"}}}
{"KeyIdentifier":"arn:aws:payment-cryptography:us-east-2:111122223333:alias/rsa/2048","CipherText":"$rsa_ct","DecryptionAttributes":{"Symmetric":{"Mode":"ECB","PaddingType":"OAEP_SHA256"}}}
{"KeyIdentifier":"${P}rsa4096public00001","PlainText":"00","EncryptionAttributes":{"Asymmetric":{"PaddingType":"PKCS1"}}}
{"KeyIdentifier":"${P}disabledkey0000001","PlainText":"0011223344556677","EncryptionAttributes":{"Symmetric":{"Mode":"CFB"}},"Extra":1}
{"KeyIdentifier":"${P}encryptonlykey0001","CipherText":"00112233445566778899AABBCCDDEEFF","DecryptionAttributes":{"Symmetric":{"Mode":"CFB128"}}}
{"KeyIdentifier":"${P}aes128bdk000000001","CipherText":"00112233445566778899AABBCCDDEEFF","DecryptionAttributes":{"Dukpt":{"KeySerialNumber":"FFFF9876543210E00001"}}}
{"IncomingKeyIdentifier":"${P}aes128key000000001","OutgoingKeyIdentifier":"${P}rsa4096public00001","CipherText":"00112233445566778899AABBCCDDEEFF","IncomingEncryptionAttributes":{"Symmetric":{"Mode":"OFB"}},"OutgoingEncryptionAttributes":{"Asymmetric":{}}}
{"KeyIdentifier":"alias/tdes","KeyIdentifier":"alias/aes-bdk","PlainText":"0102030405060708","EncryptionAttributes":{"Symmetric":{"Mode":"ECB"}}}
{"KeyIdentifier":"${P}fuzzaes256kek0000001","PlainText":"00112233445566778899AABBCCDDEEFF","EncryptionAttributes":{"Symmetric":{"Mode":"CBC"}},"WrappedKey":{"WrappedKeyMaterial":{"Tr31KeyBlock":"D0144D0AB00E0000E3B250FDA95BC6AE988EC22C39C516FAEED4CAC957510A10FA3986AE332D2F011E7AD8467F9ADFB53DF1037768D1725B78E340E16469F4B5D9499D79F54D0F81"},"KeyCheckValueAlgorithm":"ANSI_X9_24"}}
{"KeyIdentifier":"${P}fuzztdes3kek00000001","CipherText":"00112233445566778899AABBCCDDEEFF","DecryptionAttributes":{"Symmetric":{"Mode":"ECB"}},"WrappedKey":{"WrappedKeyMaterial":{"Tr31KeyBlock":"B0096D0TB00N0000E791306B2497C20EA87191F0D1E0283194F9DDCD21916F9970AFA02587B9E2793108006AC7FFB38A"}}}
{"IncomingKeyIdentifier":"${P}fuzzaes256kek0000001","OutgoingKeyIdentifier":"${P}fuzzaes256kek0000001","CipherText":"0011223344556677","IncomingEncryptionAttributes":{"Symmetric":{"Mode":"ECB"}},"OutgoingEncryptionAttributes":{"Symmetric":{"Mode":"CBC","InitializationVector":"000102030405060708090A0B0C0D0E0F"}},"IncomingWrappedKey":{"WrappedKeyMaterial":{"Tr31KeyBlock":"D0112D0TD00N0000240E8EE795DCF52302E38830D821F2FF605274E323A5BE9444D02351C6732CA66088DB188899A174C11EF418B175FEEA"}},"OutgoingWrappedKey":{"WrappedKeyMaterial":{"Tr31KeyBlock":"D0144D0AB00E0000E3B250FDA95BC6AE988EC22C39C516FAEED4CAC957510A10FA3986AE332D2F011E7AD8467F9ADFB53DF1037768D1725B78E340E16469F4B5D9499D79F54D0F81"},"KeyCheckValueAlgorithm":"CMAC"}}
{"IncomingKeyIdentifier":"alias/tdes-bdk","OutgoingKeyIdentifier":"${P}fuzztdes3kek00000001","CipherText":"124F7A32F3F84187","IncomingEncryptionAttributes":{"Dukpt":{"KeySerialNumber":"FFFF9876543210E00001","Mode":"ECB"}},"OutgoingEncryptionAttributes":{"Symmetric":{"Mode":"ECB"}},"OutgoingWrappedKey":{"WrappedKeyMaterial":{"DiffieHellmanSymmetricKey":{}}}}
JSON
        # Long identifiers and names (the audit's M1 and L1): a 300-character region, a 400-character
        # alias, a 16,000-character member name.
        long=$(head -c 300 /dev/zero | tr '\0' 'a')
        printf '{"KeyIdentifier":"arn:aws:payment-cryptography:%s:111122223333:key/tdes2key0000000001","CipherText":"b064b6c2571c65d5","DecryptionAttributes":{"Symmetric":{"Mode":"ECB"}}}' "$long" | put wire_request
        printf '{"KeyIdentifier":"alias/%s%s","PlainText":"00","EncryptionAttributes":{"Asymmetric":{}}}' "$long" "$long" | put wire_request
        printf '{"%s":1,"KeyIdentifier":"alias/tdes"}' "$(head -c 16000 /dev/zero | tr '\0' 'K')" | put wire_request
        ;;
    keystore)
        # the test fixture, and each of its keys alone (with the aliases that point at it)
        doc=../tests/fixtures/keystore.json
        put keystore <"$doc"
        count=$(jq '.Keys | length' "$doc")
        for i in $(seq 0 $((count - 1))); do
            jq -c --argjson i "$i" '.Keys[$i] as $k | {Keys: [$k], Aliases: [.Aliases[] | select(.KeyArn == $k.KeyArn)]}' "$doc" | put keystore
        done
        printf '{}' | put keystore
        printf '{"Keys":[],"Aliases":[]}' | put keystore
        # The audit's M1 documents: a 300-character region in a key's ARN, and in an alias's; the raw-RSA
        # opt-in; a member given twice.
        long=$(head -c 300 /dev/zero | tr '\0' 'a')
        key='"KeyAttributes":{"KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyClass":"SYMMETRIC_KEY","KeyAlgorithm":"AES_128","KeyModesOfUse":{"Encrypt":true}},"KeyMaterial":"00112233445566778899AABBCCDDEEFF"'
        printf '{"Keys":[{"KeyArn":"arn:aws:payment-cryptography:%s:111122223333:key/abcdefghijklmnop",%s}]}' "$long" "$key" | put keystore
        printf '{"Keys":[{"KeyArn":"arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefghijklmnop",%s}],"Aliases":[{"AliasName":"alias/x","KeyArn":"arn:aws:payment-cryptography:%s:111122223333:key/abcdefghijklmnop"}]}' "$key" "$long" | put keystore
        jq -c '{Keys: [.Keys[] | select(.KeyArn | endswith("rsa4096public00001"))]}' "$doc" | put keystore
        printf '{"Keys":[{"KeyArn":"arn:aws:payment-cryptography:us-east-2:111122223333:key/abcdefghijklmnop",%s,"KeyMaterial":"FFEEDDCCBBAA99887766554433221100"}]}' "$key" | put keystore
        ;;
    reencrypt_roundtrip)
        # structured (`arbitrary`) input: any bytes decode to some case; a few deterministic byte strings
        for i in $(seq 1 24); do
            for j in 1 2 3 4; do printf '%s-%s' "$i" "$j" | sha256sum | cut -c1-64; done | xxd -r -p | put reencrypt_roundtrip
        done
        ;;
    tr31)
        # byte 0: bit 0 = accept the legacy versions; then a key block. Every published block (positive and
        # negative, both version settings), 40 of the psec corpus blocks, and a few truncations.
        {
            jq -r '.vectors[].key_block' $V/tr31/tr31_unwrap_vectors.json $V/tr31/tr31_negative_vectors.json
            jq -r '.examples[0].wrapped_key.Tr31KeyBlock, .examples[1].outgoing.Tr31KeyBlock' $V/tr31/tr31_aws_dynamic_key_examples.json
            jq -r '.cases[:20][].key_block, .psec_extended_length[].key_block' $V/tr31-psec/psec_wrapped.json
            jq -r '.cases[:20][].key_block' $V/tr31-psec/paycrypt_wrapped.json
        } | while IFS= read -r kb; do
            { printf '\x01'; printf '%s' "$kb"; } | put tr31
            { printf '\x00'; printf '%s' "$kb"; } | put tr31
            { printf '\x01'; printf '%s' "${kb:0:40}"; } | put tr31
        done
        for bad in "" "B" "B0016" "B0016D0TB00E0000" "E0084B0TV16N0000"; do
            { printf '\x00'; printf '%s' "$bad"; } | put tr31
        done
        ;;
    server_request)
        # Structured (arbitrary) input: libFuzzer starts from one empty input and dicts/server_request.dict.
        printf '' | put server_request
        ;;
    *) echo "unknown target $t" >&2; exit 1 ;;
    esac
    echo "$t: $(ls "corpus/$t" 2>/dev/null | wc -l) files in fuzz/corpus/$t"
done
