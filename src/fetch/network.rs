//! Which addresses a fetch may reach: host names resolved by the system's resolver (or a
//! test's), and the addresses a redirect from a public one may not lead to. The hops after a
//! public address go through [`PublicOnly`], a resolver that answers only a name's public
//! addresses, so what is checked is what is connected to (no DNS rebinding).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How host names become addresses, and which addresses are private: the system's resolver
/// and [`private_ip`] ([`Network::system`]). A test gives its own, since it has no public
/// address to connect to.
#[derive(Clone)]
pub struct Network {
    /// Resolves every name the client connects to.
    pub resolver: Arc<dyn Resolve>,
    /// The addresses a redirect from a public one may not lead to.
    pub private: fn(IpAddr) -> bool,
}

impl Network {
    /// The system's resolver (`getaddrinfo`, as reqwest's own), and [`private_ip`].
    pub fn system() -> Network {
        Network {
            resolver: Arc::new(SystemResolver),
            private: private_ip,
        }
    }
}

/// The system's resolver.
struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A resolver that answers only the public addresses of a name, for the hops that must not
/// reach inside: what it answers is what is connected to, so what was checked is what is used.
pub(super) struct PublicOnly(pub(super) Network);

/// A name that resolved to private addresses only, refused as a redirect's target.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` resolves to private addresses only")]
struct PrivateOnly(String);

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let resolving = self.0.resolver.resolve(name);
        let private = self.0.private;
        Box::pin(async move {
            let public: Vec<SocketAddr> = resolving.await?.filter(|a| !private(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(PrivateOnly(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Whether a request failed because its host resolved to private addresses only.
pub(super) fn private_only(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<PrivateOnly>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Addresses a feed on the public internet must never redirect us to.
pub fn private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT, RFC 6598
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_ip(IpAddr::V4(v4)),
            None => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        let cases = [
            ("127.0.0.1", true),
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("192.168.1.1", true),
            ("169.254.169.254", true),
            ("100.64.0.1", true),
            ("0.0.0.0", true),
            ("::1", true),
            ("fe80::1", true),
            ("fd00::1", true),
            ("::ffff:127.0.0.1", true),
            ("93.184.216.34", false),
            ("2606:4700::1111", false),
        ];
        for (ip, want) in cases {
            assert_eq!(private_ip(ip.parse().unwrap()), want, "{ip}");
        }
    }
}
