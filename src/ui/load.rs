//! Data a page loads from a server function, as a resource.
//!
//! A resource's value reaches the browser twice: inside the server-rendered
//! HTML on the first load, and as the server function's reply when it
//! refetches. Leptos reads the first with `serde_json::from_str` and the
//! second with `serde_json::from_slice`, and each instantiates its own
//! parser for every type a page loads — the same deserialisers twice in
//! the wasm. [`load`] reads both with `from_slice`, so each type's parser is
//! in the bundle once.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON for a resource's value, parsed the way server function replies are.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A resource whose value travels as [`Json`].
pub type Loaded<T> = Resource<T, Json>;

/// Like `Resource::new`: reloads with `fetcher` whenever `source` changes.
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
