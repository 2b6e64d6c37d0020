#!/usr/bin/env bash
# Markdown tables from the criterion results in target/criterion (run `cargo bench` first): the DUKPT
# derivations, the operation at each payload, the parts of a DUKPT -> AES re-encryption of 16 bytes against
# the whole operation, the JSON layer, and RSA. Medians; ns/op and ops/s. Needs jq.
#
#   benches/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
C=target/criterion

# median in ns of a benchmark directory (relative to target/criterion), or empty
median() { [[ -f "$C/$1/new/estimates.json" ]] && jq -r '.median.point_estimate' "$C/$1/new/estimates.json" || true; }
row() { # label dir
    local m
    m=$(median "$2")
    [[ -z "$m" ]] && { echo "| $1 | - | - |"; return; }
    awk -v l="$1" -v m="$m" 'BEGIN { printf "| %s | %.0f | %.0f |\n", l, m, 1e9 / m }'
}

echo "### DUKPT derivation (\`derive_data_key\`)"
echo
echo "| BDK / counter bits set | ns/op | ops/s |"
echo "|---|---:|---:|"
for b in 1 5 10; do row "TDES, $b" "dukpt_tdes/bits/$b"; done
for k in aes128 aes256; do for b in 1 8 16; do row "${k^^}, $b" "dukpt_aes/$k/$b"; done; done

echo
echo "### The operation (\`reencrypt::reencrypt\`, typed API, keys from a \`MemoryKeyStore\`)"
echo
echo "| incoming → outgoing | plaintext bytes | ns/op | ops/s |"
echo "|---|---:|---:|---:|"
for c in tdes_dukpt_cbc-aes128_cbc aes128_dukpt_cbc-aes256_cbc aes128_cbc-tdes2_cbc rsa2048_oaep_sha256-aes128_cbc; do
    for s in 16 176 256 2048; do
        m=$(median "operation_$c/$s")
        [[ -z "$m" ]] && continue
        awk -v c="$c" -v s="$s" -v m="$m" 'BEGIN { printf "| %s | %s | %.0f | %.0f |\n", c, s, m, 1e9 / m }'
    done
done

echo
echo "### Whole operation against the sum of its parts (16 bytes)"
echo
echo "| case | derive | decrypt | encrypt | KCV | sum of the four (separately) | the four in a row | whole operation | operation / sum |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in tdes_dukpt_cbc-aes128_cbc aes128_dukpt_cbc-aes256_cbc; do
    p="operation_parts_$c-16"
    d=$(median "$p/derive"); x=$(median "$p/decrypt"); e=$(median "$p/encrypt"); k=$(median "$p/kcv")
    r=$(median "$p/sum"); o=$(median "operation_$c/16")
    [[ -z "$d$x$e$k$r$o" ]] && continue
    awk -v c="$c" -v d="$d" -v x="$x" -v e="$e" -v k="$k" -v r="$r" -v o="$o" 'BEGIN {
        s = d + x + e + k
        printf "| %s | %.0f ns | %.0f ns | %.0f ns | %.0f ns | %.0f ns | %.0f ns | %.0f ns | %.2f× |\n", c, d, x, e, k, s, r, o, o / s }'
done

m=$(median "operation_json_tdes_dukpt_cbc-aes128_cbc/16")
if [[ -n "$m" ]]; then
    echo
    echo "### Through the JSON layer (\`wire::handle\`, 16 bytes, \`--features serde\`)"
    echo
    echo "| case | ns/op | ops/s | typed API ns/op |"
    echo "|---|---:|---:|---:|"
    t=$(median "operation_tdes_dukpt_cbc-aes128_cbc/16")
    awk -v m="$m" -v t="${t:-0}" 'BEGIN { printf "| tdes_dukpt_cbc-aes128_cbc | %.0f | %.0f | %.0f |\n", m, 1e9 / m, t }'
fi

echo
echo "### RSA (\`benches/rsa.rs\`, OS RNG for blinding and padding)"
echo
echo "| operation | 2048 µs | 3072 µs | 4096 µs |"
echo "|---|---:|---:|---:|"
for g in rsa_decrypt_OAEP_SHA256 rsa_decrypt_PKCS1 rsa_encrypt_OAEP_SHA256 rsa_encrypt_PKCS1; do
    line="| $g"
    for b in 2048 3072 4096; do
        m=$(median "$g/$b")
        line+=" | $( [[ -n "$m" ]] && awk -v m="$m" 'BEGIN { printf "%.1f", m / 1000 }' || echo -)"
    done
    echo "$line |"
done
