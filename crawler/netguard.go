package crawler

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// ErrPrivateNetwork is returned for a connection to a loopback, private,
// link-local or otherwise non-public address while AllowPrivateNetworks is
// off. It is checked on the resolved address at connect time, so a name
// that resolves to such an address, "localhost." or a redirect to one is
// refused as well as a literal IP.
var ErrPrivateNetwork = errors.New("crawler: refusing to connect to a loopback or private network address (set AllowPrivateNetworks to allow)")

// nonPublic are address ranges no public site uses beyond those netip
// classifies (loopback, private, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),           // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),       // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),        // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),       // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),         // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),      // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),       // documentation
	netip.MustParsePrefix("fec0::/10"),           // deprecated site-local
	netip.MustParsePrefix("::/128"),              // unspecified
	netip.MustParsePrefix("100::/64"),            // discard-only
	netip.MustParsePrefix("2002:7f00::/24"),      // 6to4 of 127/8
	netip.MustParsePrefix("2002:a00::/24"),       // 6to4 of 10/8
	netip.MustParsePrefix("2002:c0a8::/32"),      // 6to4 of 192.168/16
	netip.MustParsePrefix("2002:ac10::/28"),      // 6to4 of 172.16/12
	netip.MustParsePrefix("2002:a9fe::/32"),      // 6to4 of 169.254/16
	netip.MustParsePrefix("64:ff9b::7f00:0/104"), // NAT64 of 127/8
}

// isNonPublicAddr reports whether ip must not be crawled without
// AllowPrivateNetworks. IPv4-mapped IPv6 forms are judged as IPv4.
func isNonPublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return true
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// guardControl is a net.Dialer Control hook: it runs after name resolution
// with the address about to be connected, for every connection (redirect
// targets included).
func guardControl(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrPrivateNetwork, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || isNonPublicAddr(ip) {
		return fmt.Errorf("%w: %s (%s)", ErrPrivateNetwork, address, network)
	}
	return nil
}

// isPrivateHost is the configuration-time check of a source's host name
// (the connect-time guard is guardControl): localhost names, with or
// without the trailing dot, and literal non-public addresses.
func isPrivateHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(h, "[]"))
	return err == nil && isNonPublicAddr(ip)
}
