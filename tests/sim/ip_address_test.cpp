// The simulator's compact address: conversions, classification and order.
#include <simsock/sim/ip_address.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace simsock::sim {
namespace {

namespace ip = boost::asio::ip;

IpAddress addr(const char* text) {
  return IpAddress::from(ip::make_address(text));
}

TEST(IpAddress, ConvertsBothFamiliesToAndFromAsioAddressesUnchanged) {
  for (const char* text : {"10.0.0.1", "0.0.0.0", "255.255.255.255", "fd00::1", "::", "::1",
                           "2001:db8:1:2:3:4:5:6", "ffff::ffff"}) {
    EXPECT_EQ(addr(text).to_address(), ip::make_address(text)) << text;
    EXPECT_EQ(addr(text).is_v4(), ip::make_address(text).is_v4()) << text;
  }
  EXPECT_EQ(addr("10.1.2.3").v4_value(), 0x0a010203u);
  EXPECT_EQ(IpAddress::v4(0x0a010203u), addr("10.1.2.3"));
  EXPECT_EQ(IpAddress(), addr("0.0.0.0"));
}

TEST(IpAddress, AnIpv4MappedAddressIsTheIpv4Address) {
  EXPECT_EQ(addr("::ffff:10.0.0.1"), addr("10.0.0.1"));
  EXPECT_TRUE(addr("::ffff:10.0.0.1").is_v4());
  EXPECT_EQ(addr("::ffff:10.0.0.1").to_address(), ip::make_address("10.0.0.1"));
  EXPECT_EQ(WireEndpoint::from({ip::make_address("::ffff:127.0.0.1"), 80}).to_endpoint(),
            (net::Endpoint{ip::make_address("127.0.0.1"), 80}));
}

TEST(IpAddress, KnowsLoopbackAndUnspecifiedInEachFamily) {
  EXPECT_TRUE(addr("127.0.0.1").is_loopback());
  EXPECT_TRUE(addr("127.255.0.9").is_loopback());
  EXPECT_TRUE(addr("::1").is_loopback());
  EXPECT_FALSE(addr("::2").is_loopback());
  EXPECT_FALSE(addr("128.0.0.1").is_loopback());
  EXPECT_TRUE(addr("0.0.0.0").is_unspecified());
  EXPECT_TRUE(addr("::").is_unspecified());
  EXPECT_FALSE(addr("::").is_v4());
  EXPECT_FALSE(addr("0.0.0.1").is_unspecified());
  EXPECT_EQ(IpAddress::loopback(false), addr("127.0.0.1"));
  EXPECT_EQ(IpAddress::loopback(true), addr("::1"));
  EXPECT_EQ(IpAddress::any(true), addr("::"));
}

TEST(IpAddress, OrdersByContentWithColonColonLowest) {
  std::map<IpAddress, std::string> m;
  for (const char* text : {"10.0.0.2", "fd00::1", "10.0.0.1", "::1", "::", "0.0.0.0"}) {
    m[addr(text)] = text;
  }
  EXPECT_EQ(m.size(), 6u);
  EXPECT_EQ(m.begin()->second, "::");
  EXPECT_LT(addr("10.0.0.1"), addr("10.0.0.2"));
  EXPECT_FALSE(addr("fd00::1") < addr("fd00::1"));
  EXPECT_NE(addr("fd00::1"), addr("fd00::1:0"));
}

TEST(IpAddress, RefusesAddressesNoHostCanHaveWithTheReason) {
  EXPECT_EQ(unusable_host_address(ip::make_address("10.0.0.1")), nullptr);
  EXPECT_EQ(unusable_host_address(ip::make_address("fd00::1")), nullptr);
  EXPECT_STREQ(unusable_host_address(ip::make_address("::1")), "the IPv6 loopback address (::1)");
  EXPECT_STREQ(unusable_host_address(ip::make_address("ff02::1")),
               "a multicast address (ff00::/8)");
  EXPECT_STREQ(unusable_host_address(ip::make_address("::ffff:1.2.3.4")),
               "an IPv4-mapped address (give the IPv4 address itself)");
  EXPECT_STREQ(unusable_host_address(ip::make_address("255.255.255.255")), "the broadcast address");
}

}  // namespace
}  // namespace simsock::sim
