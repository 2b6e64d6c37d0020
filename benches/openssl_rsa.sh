#!/bin/sh
# RSA: paycrypt (criterion bench `rsa`) against OpenSSL on this machine, in one sitting.
#
#   benches/openssl_rsa.sh            # OpenSSL speed, the criterion bench, OpenSSL speed again, table
#   SECONDS_PER_TEST=10 benches/openssl_rsa.sh
#
# OpenSSL `speed rsaN` times the private operation as `sign` and the public one as `verify` (raw RSA
# with blinding, no padding work to speak of); paycrypt's decrypt is one blinded private operation
# plus padding, its encrypt one public operation plus padding. OpenSSL runs before and after the
# bench; the table uses the faster of the two runs, the ratio is paycrypt time / OpenSSL time.
# Needs `openssl` and `jq`.
set -eu
cd "$(dirname "$0")/.."
secs=${SECONDS_PER_TEST:-3}
mkdir -p target
speed() { openssl speed -seconds "$secs" rsa2048 rsa3072 rsa4096 2>/dev/null | grep '^rsa '; }

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
