// The tracer's endpoint texts: cached, yet every event names its own endpoints.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include <simsock/sim/trace.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using testing::TraceRecorder;

std::vector<WireEndpoint> endpoints() {
  // 17 endpoints for a 16-slot cache: two of them share a slot, whatever the slot function is,
  // and every ordered pair of them is traced below.
  std::vector<WireEndpoint> out;
  for (std::uint16_t port = 40000; port < 40012; ++port)
    out.push_back({IpAddress::v4(0x0a000002), port});
  for (std::uint16_t port = 1; port <= 3; ++port)
    out.push_back({IpAddress::v4(0x0a000001 + port), 7});
  const auto v6 = boost::asio::ip::make_address("fd00::1");
  out.push_back({IpAddress::from(v6), 53});
  out.push_back({IpAddress::from(v6), 54});
  return out;
}

TEST(Tracer, EveryWireEventNamesItsOwnEndpointsWhenTheyShareACacheSlot) {
  Tracer tracer;
  TraceRecorder rec;
  tracer.add_sink(&rec);
  const auto eps = endpoints();
  std::vector<std::pair<std::string, std::string>> expected;
  // a -> b then b -> a for every pair: each field takes every pair of endpoints in turn, the
  // two that share a slot included.
  for (const auto& a : eps) {
    for (const auto& b : eps) {
      tracer.emit_wire(1, "udp.send", a, b, 5);
      tracer.emit_wire(1, "udp.send", b, a, 5);
      expected.emplace_back(a.to_endpoint().to_string(), b.to_endpoint().to_string());
      expected.emplace_back(b.to_endpoint().to_string(), a.to_endpoint().to_string());
    }
  }
  ASSERT_EQ(rec.events.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(rec.events[i].src, expected[i].first) << i;
    EXPECT_EQ(rec.events[i].dst, expected[i].second) << i;
  }
  EXPECT_EQ(rec.events[2 * 17 * 15].src, "[fd00::1]:53");
}

TEST(Tracer, EveryEndpointEventNamesItsOwnEndpointsWhenTheyShareACacheSlot) {
  Tracer tracer;
  TraceRecorder rec;
  tracer.add_sink(&rec);
  std::vector<net::Endpoint> eps;
  for (const auto& w : endpoints()) eps.push_back(w.to_endpoint());
  for (const auto& a : eps) {
    for (const auto& b : eps) {
      // Interleaved with wire events between the same endpoints, which keep their own cache.
      tracer.emit(2, RawEvent{"tcp.segment", &a, &b, 10, 3, {}, {}});
      tracer.emit_wire(3, "udp.send", WireEndpoint::from(b), WireEndpoint::from(a), 5);
    }
  }
  ASSERT_EQ(rec.events.size(), 2 * eps.size() * eps.size());
  std::size_t i = 0;
  for (const auto& a : eps) {
    for (const auto& b : eps) {
      EXPECT_EQ(rec.events[i].src, a.to_string()) << i;
      EXPECT_EQ(rec.events[i].dst, b.to_string()) << i;
      EXPECT_EQ(rec.events[i + 1].src, b.to_string()) << i;
      EXPECT_EQ(rec.events[i + 1].dst, a.to_string()) << i;
      i += 2;
    }
  }
}

TEST(Tracer, AWireEventsDigestIsTheSameWithAndWithoutSinks) {
  Tracer bare, traced;
  TraceRecorder rec;
  traced.add_sink(&rec);
  const auto eps = endpoints();
  for (std::size_t i = 0; i < eps.size(); ++i) {
    const auto& a = eps[i];
    const auto& b = eps[(i * 7 + 3) % eps.size()];
    for (Tracer* t : {&bare, &traced}) {
      t->emit_wire(static_cast<std::int64_t>(i), "udp.drop", a, b, 9, "loss");
      auto ea = a.to_endpoint(), eb = b.to_endpoint();
      t->emit(static_cast<std::int64_t>(i), RawEvent{"udp.send", &ea, &eb, 9, -1, {}, {}});
    }
  }
  EXPECT_EQ(bare.digest(), traced.digest());
  EXPECT_EQ(rec.events.size(), 2 * eps.size());
}

}  // namespace
}  // namespace simsock::sim
