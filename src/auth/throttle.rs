//! Sign-in throttling: at most `per_minute` attempts per client address and
//! username (a burst of that many, then one more every 60/`per_minute`
//! seconds). Keying on both keeps one noisy address from locking the admin
//! out everywhere else.

use std::collections::HashSet;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Above this many tracked keys, the ones back at full allowance are dropped.
const KEYS_KEPT: usize = 10_000;

type Key = (Option<IpAddr>, String);

pub struct LoginThrottle {
    limiter: DefaultKeyedRateLimiter<Key>,
    clock: DefaultClock,
    /// Keys refused since they were last let in.
    refusing: Mutex<HashSet<Key>>,
}

/// An attempt that must wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub wait: Duration,
    /// The first refusal since this address and name were last let in.
    pub first: bool,
}

impl LoginThrottle {
    pub fn new(per_minute: u32) -> LoginThrottle {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        LoginThrottle {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
            clock: DefaultClock::default(),
            refusing: Mutex::default(),
        }
    }

    /// `Ok` when this attempt may go on, else how long to wait.
    pub fn check(&self, ip: Option<IpAddr>, username: &str) -> Result<(), Refusal> {
        if self.limiter.len() > KEYS_KEPT {
            self.limiter.retain_recent();
        }
        // IPv6 clients usually hold a whole /64: one allowance per /64.
        let ip = ip.map(|ip| match ip {
            IpAddr::V6(v6) => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
            v4 => v4,
        });
        let key = (
            ip,
            username
                .trim()
                .chars()
                .take(64)
                .collect::<String>()
                .to_lowercase(),
        );
        let verdict = self.limiter.check_key(&key);
        let Ok(mut refusing) = self.refusing.lock() else {
            return verdict.map_err(|n| Refusal {
                wait: n.wait_time_from(self.clock.now()),
                first: false,
            });
        };
        match verdict {
            Ok(()) => {
                refusing.remove(&key);
                Ok(())
            }
            Err(not_until) => {
                if refusing.len() > KEYS_KEPT {
                    refusing.clear();
                }
                Err(Refusal {
                    wait: not_until.wait_time_from(self.clock.now()),
                    first: refusing.insert(key),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_is_allowed_then_refused_per_address_and_name() {
        let t = LoginThrottle::new(3);
        let home: Option<IpAddr> = "10.0.0.1".parse().ok();
        let away: Option<IpAddr> = "10.0.0.2".parse().ok();
        for _ in 0..3 {
            assert!(t.check(home, "admin").is_ok());
        }
        let refusal = t.check(home, " Admin ").unwrap_err();
        assert!(
            refusal.wait > Duration::ZERO && refusal.wait <= Duration::from_secs(20),
            "{refusal:?}"
        );
        assert!(refusal.first);
        assert!(
            !t.check(home, "admin").unwrap_err().first,
            "only the first refusal is news"
        );
        assert!(
            t.check(away, "admin").is_ok(),
            "another address is not locked out"
        );
        assert!(t.check(home, "other").is_ok());
        let (a, b): (Option<IpAddr>, Option<IpAddr>) =
            ("2001:db8::1".parse().ok(), "2001:db8::ffff".parse().ok());
        for _ in 0..3 {
            assert!(t.check(a, "admin").is_ok());
        }
        assert!(t.check(b, "admin").is_err(), "one /64, one allowance");
    }
}
