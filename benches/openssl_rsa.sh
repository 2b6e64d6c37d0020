#!/usr/bin/env bash
# RSA: paycrypt (criterion bench `rsa`) against OpenSSL on this machine, in one sitting.
#
#   benches/openssl_rsa.sh            # OpenSSL speed, the criterion bench, OpenSSL speed again, table
#   SECONDS_PER_TEST=10 benches/openssl_rsa.sh
#   benches/openssl_rsa.sh --interleaved [ROUNDS]   # noisy machine: see below
#
# OpenSSL `speed rsaN` times the private operation as `sign` and the public one as `verify` (raw RSA
# with blinding, no padding work to speak of); paycrypt's decrypt is one blinded private operation
# plus padding, its encrypt one public operation plus padding. OpenSSL runs before and after the
# bench; the table uses the faster of the two runs, the ratio is paycrypt time / OpenSSL time.
# OpenSSL runs with `-elapsed` (wall-clock time, as criterion measures): without it `openssl speed`
# divides by its user CPU time, which on a loaded machine flatters OpenSSL against criterion's
# wall-clock times by up to the load factor.
# Needs `openssl` and `jq`.
# --interleaved: for each size and case, ROUNDS (default 7) rounds of `openssl speed -elapsed -seconds 1`
# then the bench binary's `--time CASE 1` (same RNG, keys and paddings as the criterion bench), one
# after the other; prints each side's best (least disturbed) round and the ratio of the two, and the
# spread (worst / best) of each side. On a machine shared with compilers this is steadier than two
# long runs minutes apart.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SECONDS_PER_TEST:-3}
mkdir -p target
if [ "${1:-}" = "--interleaved" ]; then
  rounds=${2:-7}
  bin=$(cargo bench --bench rsa --no-run --message-format=json 2>/dev/null |
    jq -r 'select(.reason == "compiler-artifact" and .target.name == "rsa" and .executable != null) | .executable')
  openssl version
  printf '%-5s %-8s %-9s | %12s %7s | %12s %7s | %6s\n' bits op padding "OpenSSL µs" spread "paycrypt µs" spread ratio
  for bits in 2048 3072 4096; do
    for case in decrypt-oaep256 decrypt-pkcs1 encrypt-oaep256 encrypt-pkcs1; do
      col=4; case $case in encrypt-*) col=5 ;; esac
      o=""; p=""
      i=0
      while [ "$i" -lt "$rounds" ]; do
        o="$o $(openssl speed -elapsed -seconds 1 "rsa$bits" 2>/dev/null |
          awk -v c="$col" '$1 == "rsa" { v = $c; sub("s$", "", v); print v * 1e6 }')"
        p="$p $("$bin" --time "$case-$bits" 1)"
        i=$((i + 1))
      done
      echo "$o" "|" "$p" | awk -v b="$bits" -v c="$case" '{
        side = 0; for (i = 1; i <= NF; i++) { if ($i == "|") { side = 1; continue }
          v = $i + 0; if (side == 0) { if (!omin || v < omin) omin = v; if (v > omax) omax = v }
          else { if (!pmin || v < pmin) pmin = v; if (v > pmax) pmax = v } }
        split(c, parts, "-");
        printf "%-5s %-8s %-9s | %12.1f %6.2fx | %12.1f %6.2fx | %5.2fx\n", b, parts[1], parts[2],
          omin, omax / omin, pmin, pmax / pmin, pmin / omin }'
    done
  done
  exit 0
fi
speed() { openssl speed -elapsed -seconds "$secs" rsa2048 rsa3072 rsa4096 2>/dev/null | grep '^rsa '; }

openssl version
speed > target/openssl_rsa_before.txt
cargo bench --bench rsa -- --noplot
speed > target/openssl_rsa_after.txt

# OpenSSL seconds per op: the minimum of the two runs, columns 4 (sign) and 5 (verify).
ossl() { # bits column
  cat target/openssl_rsa_before.txt target/openssl_rsa_after.txt |
    awk -v b="$1" -v c="$2" '$2 == b { v = $c; sub("s$", "", v); if (m == "" || v + 0 < m) m = v + 0 } END { print m }'
}
ours() { jq '.median.point_estimate / 1e9' "target/criterion/$1/$2/new/estimates.json"; }

printf '\n%-5s | %-26s | %-36s | %-26s | %-36s\n' bits "OpenSSL private op (sign)" \
  "paycrypt decrypt OAEP_SHA256 / PKCS1" "OpenSSL public op (verify)" "paycrypt encrypt OAEP_SHA256 / PKCS1"
for bits in 2048 3072 4096; do
  s=$(ossl "$bits" 4); v=$(ossl "$bits" 5)
  do_=$(ours rsa_decrypt_OAEP_SHA256 "$bits"); dp=$(ours rsa_decrypt_PKCS1 "$bits")
  eo=$(ours rsa_encrypt_OAEP_SHA256 "$bits"); ep=$(ours rsa_encrypt_PKCS1 "$bits")
  awk -v b="$bits" -v s="$s" -v v="$v" -v do_="$do_" -v dp="$dp" -v eo="$eo" -v ep="$ep" 'BEGIN {
    printf "%-5s | %9.1f µs               | %7.1f µs (%4.1f×) / %7.1f µs (%4.1f×) | %9.1f µs               | %7.1f µs (%4.1f×) / %7.1f µs (%4.1f×)\n",
      b, s * 1e6, do_ * 1e6, do_ / s, dp * 1e6, dp / s, v * 1e6, eo * 1e6, eo / v, ep * 1e6, ep / v }'
done
