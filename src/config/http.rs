//! How the server treats connections and request bodies: the header and
//! idle timeouts, the connection cap and the body size limits.

use std::time::Duration;

use super::{number, ConfigError};

/// What one client may hold of the server, read from `HTTP_*` and
/// `CHAT_MAX_BODY_BYTES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// A connection must deliver a complete request head within this long
    /// after it opens or after its previous response; so an idle keep-alive
    /// connection is closed after this long too.
    pub header_timeout: Duration,
    /// While a request is under way, a client that sends none of its body or
    /// reads none of the response for this long is disconnected.
    pub idle_timeout: Duration,
    /// Connections served at once (more wait to be accepted); `None` means
    /// half the process's open-file limit, at most [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: Option<u32>,
    /// Largest request body of the console's own routes, server functions
    /// and forms.
    pub max_body_bytes: usize,
    /// Largest request body of the chat API.
    pub chat_max_body_bytes: usize,
}

pub const DEFAULT_MAX_CONNECTIONS: u32 = 4096;
const MIB: u32 = 1024 * 1024;

impl HttpLimits {
    pub(super) fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let secs = |var, default, max| -> Result<Duration, ConfigError> {
            Ok(Duration::from_secs(u64::from(number(
                get, var, default, 1, max,
            )?)))
        };
        let bytes = |var, default| -> Result<usize, ConfigError> {
            Ok(number(get, var, default, 1024, 64 * MIB)? as usize)
        };
        Ok(HttpLimits {
            header_timeout: secs("HTTP_HEADER_TIMEOUT_SECS", 10, 300)?,
            idle_timeout: secs("HTTP_IDLE_TIMEOUT_SECS", 60, 3600)?,
            max_connections: match get("HTTP_MAX_CONNECTIONS") {
                None => None,
                Some(_) => Some(number(get, "HTTP_MAX_CONNECTIONS", 0, 1, 1_000_000)?),
            },
            max_body_bytes: bytes("HTTP_MAX_BODY_BYTES", MIB)?,
            chat_max_body_bytes: bytes("CHAT_MAX_BODY_BYTES", 2 * MIB)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<HttpLimits, ConfigError> {
        let map: std::collections::HashMap<&str, &str> = pairs.iter().copied().collect();
        Config::from_lookup(|k| map.get(k).map(|v| v.to_string())).map(|c| c.http)
    }

    #[test]
    fn defaults_close_slow_clients_and_cap_bodies() {
        let h = parse(&[]).expect("defaults parse");
        assert_eq!(h.header_timeout, Duration::from_secs(10));
        assert_eq!(h.idle_timeout, Duration::from_secs(60));
        assert_eq!(h.max_connections, None);
        assert_eq!(h.max_body_bytes, 1024 * 1024);
        assert_eq!(h.chat_max_body_bytes, 2 * 1024 * 1024);
    }

    #[test]
    fn each_setting_names_its_variable_and_range_when_out_of_bounds() {
        for (var, bad, range) in [
            ("HTTP_HEADER_TIMEOUT_SECS", "0", "1 to 300"),
            ("HTTP_HEADER_TIMEOUT_SECS", "ten", "1 to 300"),
            ("HTTP_IDLE_TIMEOUT_SECS", "3601", "1 to 3600"),
            ("HTTP_MAX_CONNECTIONS", "0", "1 to 1000000"),
            ("HTTP_MAX_BODY_BYTES", "100", "1024 to 67108864"),
            ("CHAT_MAX_BODY_BYTES", "67108865", "1024 to 67108864"),
        ] {
            let err = parse(&[(var, bad)]).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.reason.contains(range), "{err}");
        }
        let h = parse(&[
            ("HTTP_HEADER_TIMEOUT_SECS", "2"),
            ("HTTP_MAX_CONNECTIONS", "50"),
            ("CHAT_MAX_BODY_BYTES", "4096"),
        ])
        .expect("valid");
        assert_eq!(h.header_timeout, Duration::from_secs(2));
        assert_eq!(h.max_connections, Some(50));
        assert_eq!(h.chat_max_body_bytes, 4096);
    }
}
