//! The test key store (`tests/fixtures/keystore.json`) and helpers to call the JSON layer.

#![allow(dead_code)]

use std::sync::OnceLock;

use paycrypt::wire::{Json, Operation, Request, ServiceError};
use paycrypt::{MemoryKeyStore, Policy};
use serde_json::Value;

use crate::testrng::TestRng;

pub const P: &str = "arn:aws:payment-cryptography:us-east-2:111122223333:key/";

pub fn store() -> &'static MemoryKeyStore {
    static STORE: OnceLock<MemoryKeyStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keystore.json"
        ))
        .unwrap();
        MemoryKeyStore::from_json(&text).unwrap()
    })
}

pub fn arn(id: &str) -> String {
    format!("{P}{id}")
}

pub fn call(op: Operation, request: Value) -> Result<Value, ServiceError> {
    call_with(op, request, Policy::Documented)
}

pub fn call_with(op: Operation, request: Value, policy: Policy) -> Result<Value, ServiceError> {
    Request::from_value(op, &request)
        .and_then(|q| q.execute(store(), &mut TestRng::new(7), policy))
        .map(Json::into_value)
}

pub fn ok(op: Operation, request: Value) -> Value {
    call(op, request.clone()).unwrap_or_else(|e| panic!("{request}: {e}"))
}
