// The embedded demo key store and its warning, shared by the `paycrypt` CLI and `paycrypt-server`
// (the server `include!`s this file, so it holds items only, no inner attributes or `use`).

/// The embedded demo key store: public test keys only (`cli/README.md` lists them;
/// `examples/README.md` says how the RSA pair was made).
pub const DEMO_KEYS: &str = include_str!("demo-keys.json");

/// The one-line stderr warning printed whenever the demo store serves.
pub const DEMO_WARNING: &str = "paycrypt: warning: using the embedded demo key store; its keys are \
PUBLIC TEST KEYS, never use them for real data (use --keys FILE or PAYCRYPT_KEYS)";
