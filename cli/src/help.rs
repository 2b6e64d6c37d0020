//! `--help` texts (printed on stdout, exit 0).

use crate::args::CommandName;

const OVERVIEW: &str = r#"paycrypt - AWS Payment Cryptography's data-plane operations, run locally

USAGE
  paycrypt [--keys FILE] [--strict-aws] <command> [parameters]

COMMANDS
  re-encrypt-data   ReEncryptData: decrypt under the incoming key, encrypt under the outgoing key
  encrypt-data      EncryptData
  decrypt-data      DecryptData
  batch             JSON lines on stdin (one request each), JSON lines on stdout, in order
  keys              list the key store: ARNs, aliases, attributes, check values (never key material)
  tr31 wrap         wrap a clear key under a stored KEK as a TR-31 key block (for the wrapped-key options)

  Requests and responses are AWS's JSON shapes. `paycrypt <command> help` shows a command's parameters.

GLOBAL OPTIONS
  --keys FILE       the key-store JSON file to use (else $PAYCRYPT_KEYS, else the embedded demo keys)
  --strict-aws      refuse what the live AWS service refuses: symmetric-to-symmetric (D0 to D0)
                    re-encryption, RSA on both sides, BIDIRECTIONAL with a TDES BDK
  --help, help      this text; after a command, that command's help
  --version         the version

KEY STORE
  Without --keys or $PAYCRYPT_KEYS, paycrypt uses an embedded demo key store holding PUBLIC TEST KEYS
  (the X9.24-1 and X9.24-3 test BDKs, AWS's sample BDK, a TDES and an AES data key, an RSA-2048 key pair
  and its public half, an AES-256 and a TDES-3KEY key-encryption key) and says so on stderr. Never
  protect real data with them. `paycrypt keys` lists them; their aliases: alias/demo-tdes-bdk,
  alias/demo-aes-bdk, alias/demo-aes256-bdk, alias/demo-aws-sample-bdk, alias/demo-tdes-key,
  alias/demo-aes-key, alias/demo-rsa, alias/demo-rsa-public, alias/demo-aes-kek, alias/demo-tdes-kek.

EXIT CODES (the AWS CLI's)
  0    success (for batch: every line was answered, errors included)
  252  bad command line: unknown command or option, missing parameter, a parameter value that is not
       JSON (or gives a member twice), a file:// that cannot be read or is over 1 MiB
  253  the key store cannot be loaded (missing file, over 64 MiB, bad JSON, a member given twice, a bad
       key: the message names it)
  254  the operation returned an error (ValidationException, ResourceNotFoundException,
       AccessDeniedException, ...), printed as
       "An error occurred (<Type>) when calling the <Operation> operation: <message>"
  255  reading stdin or writing stdout failed (a closed stdout included)
  On an error nothing is written to stdout. Messages name arguments by position, never repeat them.

EXAMPLES
  paycrypt re-encrypt-data --cli-input-json file://examples/p2pe-tdes-dukpt-to-aes-cbc.json
  paycrypt keys
  paycrypt batch < requests.jsonl > responses.jsonl
"#;

const RE_ENCRYPT: &str = r#"paycrypt re-encrypt-data - ReEncryptData

Decrypts CipherText under the incoming key and encrypts the plaintext under the outgoing key; the
plaintext never leaves the library. Prints the response (CipherText, KeyArn and KeyCheckValue of the
outgoing key).

USAGE
  paycrypt [--keys FILE] [--strict-aws] re-encrypt-data --cli-input-json JSON
  paycrypt [--keys FILE] [--strict-aws] re-encrypt-data
      --incoming-key-identifier ID --outgoing-key-identifier ID --cipher-text HEX
      --incoming-encryption-attributes JSON --outgoing-encryption-attributes JSON

PARAMETERS
  --cli-input-json JSON                    the whole request (ReEncryptDataInput); options given as
                                           well override its members
  --incoming-key-identifier ID             key ARN, alias ARN or alias/name
  --outgoing-key-identifier ID             key ARN, alias ARN or alias/name
  --cipher-text HEX                        the data under the incoming key
  --incoming-encryption-attributes JSON    {"Symmetric": {...}} | {"Asymmetric": {...}} | {"Dukpt": {...}}
  --outgoing-encryption-attributes JSON    the same, for the outgoing key
  --incoming-wrapped-key JSON              optional: the incoming key as a TR-31 key block under the KEK
                                           that --incoming-key-identifier names:
                                           {"WrappedKeyMaterial": {"Tr31KeyBlock": "D0144D0AB00E0000..."},
                                            "KeyCheckValueAlgorithm": "CMAC" | "ANSI_X9_24"}
  --outgoing-wrapped-key JSON              optional: the same for the outgoing key; the response's
                                           KeyArn is then the KEK's, its KeyCheckValue the wrapped key's
  Any value may be file://PATH to read it from a file.

EXAMPLES
  # The P2PE translation: TDES DUKPT (from a terminal) to AES CBC, with the demo keys
  paycrypt re-encrypt-data --cli-input-json file://examples/p2pe-tdes-dukpt-to-aes-cbc.json

  # AWS's worked case: DUKPT ECB to a TDES data key (gives B064B6C2571C65D5)
  paycrypt re-encrypt-data \
      --incoming-key-identifier alias/demo-tdes-bdk \
      --outgoing-key-identifier alias/demo-tdes-key \
      --cipher-text 124F7A32F3F84187 \
      --incoming-encryption-attributes '{"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}}' \
      --outgoing-encryption-attributes '{"Symmetric": {"Mode": "ECB"}}'
"#;

const ENCRYPT: &str = r#"paycrypt encrypt-data - EncryptData

Encrypts PlainText under a key. Prints the response (CipherText, KeyArn, KeyCheckValue).

USAGE
  paycrypt [--keys FILE] encrypt-data --cli-input-json JSON
  paycrypt [--keys FILE] encrypt-data --key-identifier ID --plain-text HEX --encryption-attributes JSON

PARAMETERS
  --cli-input-json JSON           the whole request (EncryptDataInput); options given as well override
                                  its members
  --key-identifier ID             key ARN, alias ARN or alias/name
  --plain-text HEX                the data (a multiple of the block size for TDES/AES; no padding is added)
  --encryption-attributes JSON    {"Symmetric": {...}} | {"Asymmetric": {...}} | {"Dukpt": {...}}
  --wrapped-key JSON              optional: the key as a TR-31 key block under the KEK --key-identifier
                                  names (see paycrypt tr31 help)
  Any value may be file://PATH to read it from a file.

EXAMPLES
  paycrypt encrypt-data --key-identifier alias/demo-aes-key --plain-text 34313131313131313131313131313131 \
      --encryption-attributes '{"Symmetric": {"Mode": "CBC"}}'

  # What a TDES DUKPT terminal would send (data request key of KSN FFFF9876543210E00001)
  paycrypt encrypt-data --key-identifier alias/demo-tdes-bdk --plain-text 0102030405060708 \
      --encryption-attributes '{"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB"}}'

  # RSA OAEP under the demo public key (a fresh ciphertext every time)
  paycrypt encrypt-data --key-identifier alias/demo-rsa-public --plain-text 34313131313131313131313131313131 \
      --encryption-attributes '{"Asymmetric": {"PaddingType": "OAEP_SHA256"}}'
"#;

const DECRYPT: &str = r#"paycrypt decrypt-data - DecryptData

Decrypts CipherText under a key. Prints the response (KeyArn, KeyCheckValue, PlainText).

USAGE
  paycrypt [--keys FILE] decrypt-data --cli-input-json JSON
  paycrypt [--keys FILE] decrypt-data --key-identifier ID --cipher-text HEX --decryption-attributes JSON

PARAMETERS
  --cli-input-json JSON           the whole request (DecryptDataInput); options given as well override
                                  its members
  --key-identifier ID             key ARN, alias ARN or alias/name
  --cipher-text HEX               the data
  --decryption-attributes JSON    {"Symmetric": {...}} | {"Asymmetric": {...}} | {"Dukpt": {...}}
  --wrapped-key JSON              optional: the key as a TR-31 key block under the KEK --key-identifier
                                  names (see paycrypt tr31 help)
  Any value may be file://PATH to read it from a file.

EXAMPLES
  paycrypt decrypt-data --key-identifier alias/demo-tdes-key --cipher-text B064B6C2571C65D5 \
      --decryption-attributes '{"Symmetric": {"Mode": "ECB"}}'
"#;

const BATCH: &str = r#"paycrypt batch - many operations, JSON lines in and out

Reads stdin one line at a time; each line is one request:
  {"Operation": "ReEncryptData" | "EncryptData" | "DecryptData", "Input": { ...the AWS request... }}
Writes one line per input line to stdout, in the same order:
  {"Output": { ...the AWS response... }}
  {"Error": {"Type": "<AWS error name>", ...the error's members}}
A line that is not JSON, gives a member twice, names an unknown operation or fails gives an error line
and the batch goes on. Lines are processed in chunks on all cores (a chunk is as many lines as are
already waiting, at most --chunk-lines), and an interactive client gets each answer as soon as it is
computed. Memory stays under 16 MiB of lines and answers whatever the input (a line over 16 KiB is
answered with an error, not kept), and no copy of a line or answer is kept once it is answered. A
summary (operations, errors, ops/s) goes to stderr at the end.
Exit code 0 when every line was answered (look at the summary or the Error lines for failures).

USAGE
  paycrypt [--keys FILE] [--strict-aws] batch [--workers N] [--chunk-lines N] < in.jsonl > out.jsonl

PARAMETERS
  --workers N         worker threads (default: one per core)
  --chunk-lines N     most lines per parallel step (default 4096)

EXAMPLES
  paycrypt batch < examples/batch.jsonl
  echo '{"Operation": "DecryptData", "Input": {"KeyIdentifier": "alias/demo-tdes-key", "CipherText": "B064B6C2571C65D5", "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}}' | paycrypt batch
"#;

const KEYS: &str = r#"paycrypt keys - list the key store

Prints the keys (KeyArn, KeyAttributes, KeyCheckValue, KeyCheckValueAlgorithm, Enabled, KeyState) and the
aliases (AliasName, KeyArn), as AWS's ListKeys and ListAliases show them. Never prints key material.

USAGE
  paycrypt keys [--keys FILE]

EXAMPLES
  paycrypt keys
  paycrypt keys --keys my-keys.json
"#;

const TR31: &str = r#"paycrypt tr31 wrap - make a TR-31 key block under a stored KEK

Wraps a clear key under a key-encryption key of the key store (usage TR31_K0_KEY_ENCRYPTION_KEY or
TR31_K1_KEY_BLOCK_PROTECTION_KEY, modes of use Wrap, Encrypt or NoRestrictions) and prints it as AWS's
WrappedKey structure, ready for --wrapped-key, --incoming-wrapped-key or --outgoing-wrapped-key (the
data operation's key identifier is then the same KEK). Version B needs a TDES KEK, version D an AES KEK.
The key's length is masked (padded as if it were 24 bytes for TDES, 32 for AES) and the padding is random.

A dynamic data key must have key usage D0, algorithm T (16 or 24 bytes) or A (16, 24 or 32), mode of use
B or D (incoming) / B or E (outgoing), N only without --strict-aws, and be no stronger than its KEK.

USAGE
  paycrypt [--keys FILE] tr31 wrap --kek-identifier ID --header HEADER --key HEX

PARAMETERS
  --kek-identifier ID    the KEK: key ARN, alias ARN or alias/name
  --header HEADER        the header: 16 characters (version, length, usage, algorithm, mode of use, key
                         version, exportability, number of optional blocks, context, reserved) and any
                         optional blocks; the length field is rewritten, e.g. D0000D0AB00E0000
  --key HEX              the clear key; file://PATH reads it from a file (keeps it off the command line)

EXAMPLES
  paycrypt tr31 wrap --kek-identifier alias/demo-aes-kek --header D0000D0AB00E0000 \
      --key 00112233445566778899AABBCCDDEEFF
  paycrypt encrypt-data --key-identifier alias/demo-aes-kek --plain-text 34313131313131313131313131313131 \
      --encryption-attributes '{"Symmetric": {"Mode": "CBC"}}' --wrapped-key "$(paycrypt tr31 wrap \
      --kek-identifier alias/demo-aes-kek --header D0000D0AB00E0000 --key file://key.hex)"
"#;

/// The help of a command, or the overview.
pub fn text(command: Option<CommandName>) -> &'static str {
    match command {
        None => OVERVIEW,
        Some(CommandName::ReEncryptData) => RE_ENCRYPT,
        Some(CommandName::EncryptData) => ENCRYPT,
        Some(CommandName::DecryptData) => DECRYPT,
        Some(CommandName::Batch) => BATCH,
        Some(CommandName::Keys) => KEYS,
        Some(CommandName::Tr31) => TR31,
    }
}
