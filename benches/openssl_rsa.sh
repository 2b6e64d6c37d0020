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
# under three capability masks, then each bench binary's `--time CASE 1` (same RNG, keys and paddings as
# the criterion bench), one after the other; prints each series' best (least disturbed) round with its
# spread (worst / best), and each binary's ratio to each OpenSSL series. On a machine shared with
# compilers this is steadier than two long runs minutes apart. The OpenSSL series (OPENSSL_ia32cap(3):
# the second 64-bit word is CPUID.(EAX=07H,ECX=0).EBX:ECX):
#   ossl     as shipped: on a CPU with AVX-512 IFMA, OpenSSL 3 runs RSA-2048's two CRT exponentiations
#            together on 52-bit limbs in vector registers;
#   noifma   OPENSSL_ia32cap=":~0x200000" (bit 21, AVX512IFMA, off): its scalar mulx/adcx/adox assembly;
#   x86_64   OPENSSL_ia32cap=":~0x280120" (bits 5 AVX2, 8 BMI2, 19 ADX, 21 AVX512IFMA off): its scalar
#            mul/adc assembly on the baseline x86-64 instruction set, the one paycrypt's release build uses.
# BENCH_BINS="before=PATH after=PATH" times other builds of the bench binary in the same rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SECONDS_PER_TEST:-3}
mkdir -p target
if [ "${1:-}" = "--interleaved" ]; then
  rounds=${2:-7}
  # The bench binaries to time: BENCH_BINS="label=path ..." (e.g. a build of another commit), else this
  # tree's `rsa` bench binary.
  bins=${BENCH_BINS:-paycrypt=$(cargo bench --bench rsa --no-run --message-format=json 2>/dev/null |
    jq -r 'select(.reason == "compiler-artifact" and .target.name == "rsa" and .executable != null) | .executable')}
  openssl version
  # The OpenSSL anchors (see the header): as shipped, IFMA masked, baseline x86-64 instructions only.
  anchors="ossl= noifma=:~0x200000 x86_64=:~0x280120"
  labels=""
  for a in $anchors; do labels="$labels ${a%%=*}"; done
  for b in $bins; do labels="$labels ${b%%=*}"; done
  printf '%-5s %-8s %-9s |' bits op padding
  for l in $labels; do printf ' %14s' "$l µs"; done
  printf ' | ratios of each binary to ossl / noifma / x86_64\n'
  for bits in 2048 3072 4096; do
    for case in decrypt-oaep256 decrypt-pkcs1 encrypt-oaep256 encrypt-pkcs1; do
      col=4; case $case in encrypt-*) col=5 ;; esac
      runs=""
      i=0
      while [ "$i" -lt "$rounds" ]; do
        for a in $anchors; do
          cap=${a#*=}
          if [ -n "$cap" ]; then set -- env "OPENSSL_ia32cap=$cap"; else set -- env -u OPENSSL_ia32cap; fi
          v=$("$@" openssl speed -elapsed -seconds 1 "rsa$bits" 2>/dev/null |
            awk -v c="$col" '$1 == "rsa" { v = $c; sub("s$", "", v); print v * 1e6 }')
          runs="$runs ${a%%=*}=$v"
        done
        for b in $bins; do
          runs="$runs ${b%%=*}=$("${b#*=}" --time "$case-$bits" 1)"
        done
        i=$((i + 1))
      done
      echo "$runs" | awk -v b="$bits" -v c="$case" -v labels="$labels" -v nanchors=3 '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); k = kv[1]; v = kv[2] + 0
          if (!(k in min) || v < min[k]) min[k] = v; if (v > max[k]) max[k] = v }
        n = split(labels, l, " "); split(c, parts, "-")
        printf "%-5s %-8s %-9s |", b, parts[1], parts[2]
        for (i = 1; i <= n; i++) printf " %8.1f %4.2fx", min[l[i]], max[l[i]] / min[l[i]]
        printf " |"
        for (i = nanchors + 1; i <= n; i++)
          printf " %s %.2f/%.2f/%.2f", l[i], min[l[i]] / min[l[1]], min[l[i]] / min[l[2]], min[l[i]] / min[l[3]]
        printf "\n" }'
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
