// Conformance: timers on the network's steady clock, and name resolution.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "tests/net/conformance_fixture.hpp"

namespace simsock::conformance {

template <typename Backend>
class TimerConformance : public Conformance<Backend> {};
TYPED_TEST_SUITE_P(TimerConformance);

TYPED_TEST_P(TimerConformance, TimersExpireInTheOrderOfTheirDeadlines) {
  std::vector<int> order;
  std::vector<std::unique_ptr<net::Timer>> timers;
  // Far apart, so that the moments between arming them cannot reorder the deadlines on a busy
  // machine (each one is armed relative to its own now()).
  for (int ms : {300, 100, 200}) {
    timers.push_back(this->client().make_timer());
    timers.back()->expires_after(std::chrono::milliseconds(ms));
    timers.back()->async_wait([&order, ms](net::error_code ec) {
      EXPECT_FALSE(ec) << ec.message();
      order.push_back(ms);
    });
  }
  ASSERT_TRUE(this->run_until([&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{100, 200, 300}));
}

TYPED_TEST_P(TimerConformance, WaitLastsAtLeastTheRequestedDuration) {
  auto t = this->client().make_timer();
  const auto start = this->client().now();
  t->expires_after(50ms);
  WaitDone w;
  t->async_wait(w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_FALSE(w.get<0>()) << w.get<0>().message();
  EXPECT_GE(this->client().now() - start, 50ms);
}

TYPED_TEST_P(TimerConformance, ReArmingWithExpiresAfterAbortsThePendingWait) {
  auto t = this->client().make_timer();
  t->expires_after(10s);
  WaitDone first;
  t->async_wait(first.handler());
  t->expires_after(20ms);
  ASSERT_TRUE(this->run_until([&] { return first.done(); }));
  EXPECT_EQ(first.get<0>(), net::error::operation_aborted);
  WaitDone second;
  t->async_wait(second.handler());
  ASSERT_TRUE(this->run_until([&] { return second.done(); }));
  EXPECT_FALSE(second.get<0>()) << second.get<0>().message();
  EXPECT_EQ(first.calls(), 1);
}

TYPED_TEST_P(TimerConformance, CancelAbortsThePendingWait) {
  auto t = this->client().make_timer();
  t->expires_after(10s);
  WaitDone w;
  t->async_wait(w.handler());
  t->cancel();
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_EQ(w.get<0>(), net::error::operation_aborted);
}

TYPED_TEST_P(TimerConformance, WaitOnAnExpiredTimerCompletesWithoutError) {
  auto t = this->client().make_timer();
  t->expires_after(0ns);
  WaitDone w;
  t->async_wait(w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_FALSE(w.get<0>()) << w.get<0>().message();
}

TYPED_TEST_P(TimerConformance, ClocksMoveForwardTogether) {
  const auto steady0 = this->client().now();
  const auto wall0 = this->client().wall_now();
  auto t = this->client().make_timer();
  t->expires_after(100ms);
  WaitDone w;
  t->async_wait(w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_GE(this->client().now() - steady0, 100ms);
  EXPECT_GE(this->client().wall_now() - wall0, 100ms);
}

TYPED_TEST_P(TimerConformance, ExpiresAtWaitsUntilThatPointOfTheNetworksClock) {
  auto t = this->client().make_timer();
  const auto deadline = this->client().now() + 80ms;
  t->expires_at(deadline);
  EXPECT_EQ(t->expiry(), deadline);
  WaitDone w;
  t->async_wait(w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_FALSE(w.get<0>()) << w.get<0>().message();
  EXPECT_GE(this->client().now(), deadline);
}

TYPED_TEST_P(TimerConformance, ExpiryIsNowPlusTheDurationOfExpiresAfter) {
  auto t = this->client().make_timer();
  const auto before = this->client().now();
  t->expires_after(50ms);
  const auto after = this->client().now();
  EXPECT_GE(t->expiry(), before + 50ms);
  EXPECT_LE(t->expiry(), after + 50ms);
  WaitDone w;
  t->async_wait(w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_GE(this->client().now(), t->expiry());
}

TYPED_TEST_P(TimerConformance, ExpiresAtAPassedPointCompletesWithoutError) {
  auto t = this->client().make_timer();
  t->expires_at(this->client().now() - 1s);
  WaitDone w;
  t->async_wait(w.handler());
  EXPECT_FALSE(w.done()) << "completed inside async_wait";
  ASSERT_TRUE(this->run_until([&] { return w.done(); }, kAtOnceLimit));
  EXPECT_FALSE(w.get<0>()) << w.get<0>().message();
}

TYPED_TEST_P(TimerConformance, ReArmingWithExpiresAtAbortsThePendingWait) {
  auto t = this->client().make_timer();
  t->expires_after(10s);
  WaitDone first;
  t->async_wait(first.handler());
  t->expires_at(this->client().now() + 20ms);
  ASSERT_TRUE(this->run_until([&] { return first.done(); }));
  EXPECT_EQ(first.get<0>(), net::error::operation_aborted);
}

REGISTER_TYPED_TEST_SUITE_P(
    TimerConformance, TimersExpireInTheOrderOfTheirDeadlines, WaitLastsAtLeastTheRequestedDuration,
    ReArmingWithExpiresAfterAbortsThePendingWait, CancelAbortsThePendingWait,
    WaitOnAnExpiredTimerCompletesWithoutError, ClocksMoveForwardTogether,
    ExpiresAtWaitsUntilThatPointOfTheNetworksClock, ExpiryIsNowPlusTheDurationOfExpiresAfter,
    ExpiresAtAPassedPointCompletesWithoutError, ReArmingWithExpiresAtAbortsThePendingWait);

template <typename Backend>
class ResolveConformance : public Conformance<Backend> {
 protected:
  std::pair<net::error_code, std::vector<net::Endpoint>> resolve(const std::string& name,
                                                                 std::uint16_t port) {
    ResolveDone r;
    this->client().async_resolve(name, port, r.handler());
    if (!this->run_until([&] { return r.done(); })) {
      ADD_FAILURE() << "resolve did not complete";
      return {net::error::timed_out, {}};
    }
    return {r.get<0>(), r.get<1>()};
  }
};
TYPED_TEST_SUITE_P(ResolveConformance);

TYPED_TEST_P(ResolveConformance, ServerHostNameResolvesToTheServerAddressIPv4First) {
  auto [ec, eps] = this->resolve(this->backend().server_host_name(), 4242);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_FALSE(eps.empty());
  EXPECT_TRUE(eps.front().address.is_v4());
  EXPECT_NE(std::find(eps.begin(), eps.end(), this->server_at(4242)), eps.end())
      << "expected " << this->server_at(4242).to_string();
  for (const auto& e : eps) EXPECT_EQ(e.port, 4242);
}

TYPED_TEST_P(ResolveConformance, UnknownHostNameFailsWithHostNotFound) {
  auto [ec, eps] = this->resolve("no-such-host.invalid", 80);
  EXPECT_EQ(ec, net::error::host_not_found);
  EXPECT_TRUE(eps.empty());
}

TYPED_TEST_P(ResolveConformance, AddressLiteralsResolveToThemselves) {
  auto [ec4, v4] = this->resolve("192.0.2.44", 7);
  EXPECT_FALSE(ec4) << ec4.message();
  EXPECT_EQ(v4, (std::vector<net::Endpoint>{{asio::ip::make_address("192.0.2.44"), 7}}));
  auto [ec6, v6] = this->resolve("2001:db8::5", 9);
  EXPECT_FALSE(ec6) << ec6.message();
  EXPECT_EQ(v6, (std::vector<net::Endpoint>{{asio::ip::make_address("2001:db8::5"), 9}}));
}

TYPED_TEST_P(ResolveConformance, ResolvedServerNameIsConnectable) {
  auto l = this->listen();
  ASSERT_NE(l, nullptr);
  auto [ec, eps] = this->resolve(this->backend().server_host_name(), l->local_endpoint().port);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_FALSE(eps.empty());
  AcceptDone accepted;
  ConnectDone connected;
  l->async_accept(accepted.handler());
  this->client().async_connect(eps.front(), connected.handler());
  ASSERT_TRUE(this->run_until([&] { return accepted.done() && connected.done(); }));
  EXPECT_FALSE(connected.get<0>()) << connected.get<0>().message();
  EXPECT_FALSE(accepted.get<0>()) << accepted.get<0>().message();
}

REGISTER_TYPED_TEST_SUITE_P(ResolveConformance, ServerHostNameResolvesToTheServerAddressIPv4First,
                            UnknownHostNameFailsWithHostNotFound,
                            AddressLiteralsResolveToThemselves, ResolvedServerNameIsConnectable);

}  // namespace simsock::conformance
