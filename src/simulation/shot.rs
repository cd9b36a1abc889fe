//! What every request of a run shares, made once when it starts, and
//! which request of its message set each send takes.

use std::time::Duration;

use serde_json::json;

use super::client::PreparedChat;
use super::message_set::ChatLine;
use super::records::RowTargets;
use super::types::RunConfig;

/// What every request of a run shares, made once when it starts: the
/// prepared call, one `Authorization` value per simulated user, and each
/// request of its message set as body bytes with the messages its record
/// carries and its own `max_tokens`.
pub struct Shot {
    pub chat: PreparedChat,
    pub auths: Vec<reqwest::header::HeaderValue>,
    pub requests: Vec<(bytes::Bytes, serde_json::Value, Option<u32>)>,
    pub targets: RowTargets,
}

impl Shot {
    pub fn new(
        c: &RunConfig,
        base: &str,
        tokens: &[String],
        targets: RowTargets,
        timeout: Duration,
    ) -> Result<Shot, String> {
        let lines = match &c.message_set {
            Some(set) => set.lines().map_err(|e| e.message())?,
            None => vec![ChatLine::user(&c.message)],
        };
        let requests = lines
            .into_iter()
            .map(|line| {
                let max_tokens = line.max_tokens.or(c.max_tokens);
                let mut body = json!({ "messages": line.messages, "stream": c.stream });
                if let Some(m) = &c.model {
                    body["model"] = json!(m);
                }
                if c.stream {
                    body["stream_options"] = json!({ "include_usage": true });
                }
                if let Some(n) = max_tokens {
                    body["max_tokens"] = json!(n);
                }
                if let Some(t) = c.temperature {
                    body["temperature"] = json!(t);
                }
                let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
                Ok((bytes.into(), line.messages, max_tokens))
            })
            .collect::<Result<_, String>>()?;
        let auths = tokens
            .iter()
            .map(|t| {
                let mut v = reqwest::header::HeaderValue::from_str(&format!("Bearer {t}"))
                    .map_err(|e| e.to_string())?;
                v.set_sensitive(true);
                Ok(v)
            })
            .collect::<Result<_, String>>()?;
        Ok(Shot {
            chat: PreparedChat::new(base, &c.scope, timeout)?,
            auths,
            requests,
            targets,
        })
    }
}

/// Which request of the set each send takes: in order, or at random
/// (seeded: the same seed, the same sequence).
pub struct Picker {
    n: usize,
    random: Option<rand::rngs::StdRng>,
}

impl Picker {
    pub fn new(c: &RunConfig, n: usize) -> Picker {
        use rand::SeedableRng;
        let random = c
            .message_set
            .as_ref()
            .filter(|s| s.random)
            .map(|s| match s.seed {
                Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
                None => rand::rngs::StdRng::from_entropy(),
            });
        Picker {
            n: n.max(1),
            random,
        }
    }

    pub fn pick(&mut self, seq: u64) -> usize {
        use rand::Rng;
        match &mut self.random {
            Some(rng) => rng.gen_range(0..self.n),
            None => (seq % self.n as u64) as usize,
        }
    }
}
