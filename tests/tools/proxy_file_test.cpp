// Proxy files (tools/proxy/proxy_file.cpp) and links on their own (tools/scenario/link_text.cpp):
// good text loads into what it says, bad text gives one located message naming the key and the
// value, worded as the scenario files' messages are.
#include <gtest/gtest.h>

#include <simsock/tools/proxy/proxy_file.hpp>
#include <simsock/tools/scenario/link_text.hpp>
#include <simsock/tools/scenario/loader.hpp>

namespace simsock::proxy {
namespace {

using namespace std::chrono_literals;

std::string error_of(const std::string& text) {
  try {
    load_proxy_text(text, "p.yaml");
  } catch (const scenario::ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(ProxyFile, LoadsProxiesLinksAndATimelineInTimeOrder) {
  auto pf = load_proxy_text(
      "seed: 9\n"
      "duration: 1m\n"
      "proxies:\n"
      "  - {name: web, listen: \"127.0.0.1:9000\", to: \"localhost:21567\",\n"
      "     link: {latency: 20ms, tcp: {segment: {min: 1, max: 3}}}}\n"
      "  - {name: dns, listen: \"[::1]:5353\", to: \"127.0.0.1:53\", udp: true, segment_gap: 0}\n"
      "faults:\n"
      "  - {at: 3s, set_link: {proxy: dns, udp: {loss: 30%}}}\n"
      "  - {at: 1s, partition: web}\n"
      "  - {at: 2s, reset: web}\n",
      "p.yaml");
  EXPECT_EQ(pf.seed, 9u);
  EXPECT_EQ(pf.duration, std::chrono::nanoseconds(1min));
  ASSERT_EQ(pf.proxies.size(), 2u);
  const auto& web = pf.proxies[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.listen_port, 9000);
  EXPECT_EQ(web.to_host, "localhost");
  EXPECT_EQ(web.to_port, 21567);
  EXPECT_FALSE(web.udp);
  ASSERT_TRUE(web.link);
  EXPECT_EQ(web.link->latency, 20ms);
  EXPECT_EQ(web.link->tcp.segment.min, 1u);
  EXPECT_EQ(web.link->tcp.segment.max, 3u);
  EXPECT_EQ(web.link->udp.mtu, 1500u);  // the scenario defaults for keys not given
  const auto& dns = pf.proxies[1];
  EXPECT_TRUE(dns.udp);
  EXPECT_TRUE(dns.listen_address.is_v6());
  EXPECT_FALSE(dns.link);
  EXPECT_EQ(dns.segment_gap, 0ns);
  ASSERT_EQ(pf.faults.size(), 3u);
  EXPECT_EQ(pf.faults[0].action, ProxyFault::Action::partition);
  EXPECT_EQ(pf.faults[1].action, ProxyFault::Action::reset);
  EXPECT_EQ(pf.faults[2].action, ProxyFault::Action::set_link);
  EXPECT_EQ(pf.faults[2].proxy, "dns");
  EXPECT_EQ(pf.faults[2].patch.udp_loss, 0.3);
}

TEST(ProxyFile, BadValuesAreLocatedAndNamed) {
  const std::string head =
      "proxies:\n  - {name: web, listen: \"127.0.0.1:9000\", to: \"127.0.0.1:1\"";
  EXPECT_EQ(error_of(head + ", link: {jitter: 5 ms}}\n"),
            "p.yaml:2:77: error: proxies[0].link.jitter: '5 ms' is not a duration (a number with "
            "ns, us, ms, s or m, e.g. 200ms, 1.5s)");
  EXPECT_EQ(
      error_of("proxies:\n  - {name: web, listen: \"localhost:9000\", to: \"127.0.0.1:1\"}\n"),
      "p.yaml:2:25: error: proxies[0].listen: 'localhost:9000' is not ADDR:PORT with a "
      "literal address (e.g. 127.0.0.1:9000 or [::1]:9000)");
  EXPECT_EQ(error_of(head + ", udp: yes}\n"),
            "p.yaml:2:67: error: proxies[0].udp: 'yes' is not true or false");
  EXPECT_EQ(
      error_of(head + "}\n  - {name: web, listen: \"127.0.0.1:9001\", to: \"127.0.0.1:1\"}\n"),
      "p.yaml:3:5: error: proxies[1]: proxy 'web' is defined twice");
  EXPECT_EQ(error_of(head + "}\nfaults:\n  - {at: 1s, heal: api}\n"),
            "p.yaml:4:20: error: faults[0].heal: unknown proxy 'api' (proxies: web)");
  EXPECT_EQ(error_of(head + "}\nfaults:\n  - {at: 1s}\n"),
            "p.yaml:4:5: error: faults[0]: a fault has 'at' and exactly one action (partition, "
            "heal, clog, release, set_link or reset)");
  EXPECT_NE(error_of("seed: 1\n"), "");
  EXPECT_NE(error_of(head + "}\nfaults:\n  - {at: 1s, set_link: {proxy: web, lossy: 1}}\n"), "");
}

TEST(LinkText, AppliesTheKeysGivenOnTheScenarioDefaults) {
  auto link = scenario::load_link("{latency: 20ms, udp: {loss: 30%}}", "--link");
  EXPECT_EQ(link.latency, 20ms);
  EXPECT_EQ(link.udp.loss, 0.3);
  EXPECT_EQ(link.tcp.segment.min, 1460u);
  auto patch = scenario::load_link_patch("{jitter: 1ms}", "--link");
  EXPECT_EQ(patch.jitter, std::chrono::nanoseconds(1ms));
  EXPECT_FALSE(patch.latency);
}

TEST(LinkText, ErrorsNameTheSourceTheKeyAndTheValue) {
  auto error = [](const std::string& text) {
    try {
      scenario::load_link(text, "--link");
    } catch (const scenario::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error("{udp: {loss: 120%}}"),
            "--link:1:14: error: udp.loss: '120%' is not a probability (0..1 or 0%..100%)");
  EXPECT_EQ(error(""), "--link:1:1: error: empty link (give a link like {latency: 20ms})");
  EXPECT_EQ(
      error("{tcp: {loss: 100%}}").rfind("--link:1:14: error: tcp.loss: '100%' would lose", 0), 0u);
}

}  // namespace
}  // namespace simsock::proxy
