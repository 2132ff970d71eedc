// The reports of a run (tools/report): the HTML page's embedded data against the run's trace and
// packets, its size bound on a long run, the pcapng's comments read back by tshark against the
// trace, the sweep index, and the progress line's wording.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <simsock/sim/pcapng_writer.hpp>
#include <simsock/tools/progress.hpp>
#include <simsock/tools/report/chrome_trace.hpp>
#include <simsock/tools/report/html_report.hpp>
#include <simsock/tools/report/run_header.hpp>
#include <simsock/tools/report/sweep_html.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/sink_fanout.hpp>

#include "report_testutil.hpp"

namespace simsock {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace report_test;

// The JSON object the page embeds.
json page_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"data\">";
  auto a = page.find(open);
  auto b = page.find("</script>", a);
  EXPECT_NE(a, std::string::npos);
  EXPECT_NE(b, std::string::npos);
  return json::parse(page.substr(a + open.size(), b - a - open.size()));
}

TEST(HtmlReport, EmbedsEveryPacketWithItsFateAndTheRunsHeader) {
  auto r = run("udp-reorder-duplicate");
  ASSERT_TRUE(r->result.passed);
  const std::string page = report::render_html(*r->timeline, report::header_for(r->result));
  EXPECT_EQ(page.find("http://"), std::string::npos);  // nothing to fetch
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  json d = page_data(page);
  EXPECT_EQ(d["header"]["title"], "udp-reorder-duplicate");
  EXPECT_EQ(d["header"]["seed"], "3");
  EXPECT_EQ(d["header"]["passed"], true);
  EXPECT_EQ(d["header"]["checks"].size(), r->result.expectations.size());
  EXPECT_EQ(d["header"]["replay"], scenario::replay_command(r->spec.file, 3));
  EXPECT_EQ(d["lanes"], json::array({"server", "client"}));
  std::uint64_t packets = 0, duplicates = 0, reordered = 0, arrived = 0;
  for (const auto& it : d["items"]) {
    if (it[0] != 0) continue;
    const auto flags = it[5].get<std::uint32_t>();
    if (flags & report::k_duplicate) {
      ++duplicates;
    } else {
      ++packets;
    }
    if (flags & report::k_reordered) ++reordered;
    if (it[2].get<std::int64_t>() > it[1].get<std::int64_t>()) ++arrived;
    EXPECT_GE(it[3].get<int>(), 0);
    EXPECT_GE(it[4].get<int>(), 0);
  }
  EXPECT_EQ(packets, r->tally.packets);
  EXPECT_EQ(duplicates, r->tally.kinds["udp.duplicate"]);
  EXPECT_EQ(reordered, r->result.stats.at("udp.reordered"));
  EXPECT_GT(reordered, 0u);
  EXPECT_EQ(arrived, packets + duplicates);  // no loss on this link: every copy arrives later
  // Counters over time end where the run's counters end.
  const auto& last = d["samples"].back();
  EXPECT_EQ(last[1].get<std::uint64_t>(), r->tally.delivered_bytes);
  EXPECT_GT(r->tally.delivered_bytes, 0u);
  EXPECT_EQ(last[2].get<std::uint64_t>(), 0u);
}

TEST(HtmlReport, MarksDropsWithTheirReasonAndRetransmissions) {
  auto r = run("tcp-loss-retransmit");
  json d = page_data(report::render_html(*r->timeline, report::header_for(r->result)));
  const auto& strings = d["strings"];
  std::uint64_t dropped = 0, retransmits = 0, loss = 0;
  for (const auto& it : d["items"]) {
    if (it[0] != 0) continue;
    const auto flags = it[5].get<std::uint32_t>();
    if (flags & report::k_dropped) {
      ++dropped;
      if (strings[it[9].get<int>()] == "loss") ++loss;
    }
    if (flags & report::k_retransmit) ++retransmits;
  }
  EXPECT_EQ(dropped, r->tally.dropped);
  EXPECT_EQ(loss, r->tally.drop_reasons["loss"]);
  EXPECT_GT(loss, 0u);
  EXPECT_EQ(retransmits, r->tally.kinds["tcp.retransmit"]);
  EXPECT_EQ(d["samples"].back()[3].get<std::uint64_t>(), r->tally.kinds["tcp.retransmit"]);
  EXPECT_EQ(d["samples"].back()[1].get<std::uint64_t>(), r->result.stats.at("tcp.bytes"));
}

TEST(HtmlReport, EveryFaultIsAMarkWithItsDescription) {
  auto r = run("partition-heal");
  json d = page_data(report::render_html(*r->timeline, report::header_for(r->result)));
  std::set<std::string> faults;
  for (const auto& it : d["items"]) {
    if (it[0] == 1 && d["strings"][it[8].get<int>()] == "fault")
      faults.insert(d["strings"][it[10].get<int>()].get<std::string>());
  }
  EXPECT_EQ(faults.size(), r->tally.kinds["fault"]);
  EXPECT_GT(faults.size(), 0u);
}

TEST(HtmlReport, PacketsAClogHoldsArriveAfterTheRelease) {
  const std::string text =
      "name: clogged\nduration: 5s\nhosts: [{name: server, address: 10.0.0.1}, {name: client, "
      "address: 10.0.0.2}]\nnetwork: {default: {latency: 2ms}}\nprocesses:\n"
      "  - {name: echo, host: server, app: udp-ts-server}\n"
      "  - {name: cli, host: client, app: udp-ts-client, start: 100ms, args: {connect: "
      "\"server:21567\", message: [held], timeout: 2s}}\n"
      "faults:\n  - {at: 50ms, clog: [client, server]}\n  - {at: 1s, release: [client, server]}\n"
      "expect: [{process: cli, exit: 0}]\n";
  auto r = run("clogged", report::k_html_max_items, nullptr, nullptr, text);
  ASSERT_TRUE(r->result.passed) << r->result.first_failure();
  json d = page_data(report::render_html(*r->timeline, report::header_for(r->result)));
  std::uint64_t held = 0;
  for (const auto& it : d["items"]) {
    if (it[0] != 0 || !(it[5].get<std::uint32_t>() & report::k_held)) continue;
    ++held;
    EXPECT_EQ(it[1].get<std::int64_t>(), 100'000'000);                // sent at 100ms
    EXPECT_EQ(it[2].get<std::int64_t>(), 1'000'000'000 + 2'000'000);  // released at 1s, +2ms
  }
  EXPECT_EQ(held, 1u);
}

TEST(HtmlReport, LongRunsKeepTheFirstItemsInDetailAndStayUnderTheSizeBound) {
  const std::string text =
      "name: long\nduration: 600s\nhosts: [{name: server, address: 10.0.0.1}, {name: client, "
      "address: 10.0.0.2}]\nnetwork: {default: {latency: 1ms, udp: {loss: 5%}}}\nprocesses:\n"
      "  - {name: echo, host: server, app: udp-ts-server}\n"
      "  - {name: ping, host: client, app: udp-ping, args: {connect: \"server:21567\", count: "
      "120000, timeout: 5ms}}\nexpect: [{process: ping, exit: 0}]\n";
  auto r = run("long", report::k_html_max_items, nullptr, nullptr, text);
  const std::uint64_t total = r->tally.packets + r->tally.kinds["udp.drop"];
  ASSERT_GT(total, report::k_html_max_items);
  const std::string page = report::render_html(*r->timeline, report::header_for(r->result));
  json d = page_data(page);
  EXPECT_EQ(d["items"].size(), report::k_html_max_items);
  EXPECT_GT(d["summarised"].get<std::uint64_t>(), 0u);
  EXPECT_LE(d["samples"].size(), report::Timeline::k_max_samples);
  EXPECT_EQ(d["samples"].back()[2].get<std::uint64_t>(), r->result.stats.at("udp.dropped"));
  EXPECT_LT(page.size(), std::size_t{16} << 20) << "documented bound: 16 MiB";
  std::cout << "page of " << page.size() << " bytes for " << total << " packets and drops ("
            << page.size() / report::k_html_max_items << " bytes per kept item)\n";
}

TEST(HtmlReport, BeyondTheDetailLimitEveryItemIsCountedUnderItsKind) {
  // Limits that cut the run between a datagram and its second copy, and after both.
  for (std::size_t limit = 4; limit <= 40; ++limit) {
    auto r = run("udp-reorder-duplicate", limit);
    const auto& tl = *r->timeline;
    ASSERT_EQ(tl.items().size(), limit);
    std::map<std::string, std::uint64_t> kinds(tl.summarised_kinds().begin(),
                                               tl.summarised_kinds().end());
    std::uint64_t by_kind = 0;
    for (const auto& [kind, n] : kinds) by_kind += n;
    EXPECT_EQ(by_kind, tl.summarised()) << "limit " << limit;
    std::uint64_t kept_packets = 0, kept_copies = 0;
    for (const auto& it : tl.items()) {
      if (it.kind != 0) continue;
      ++(it.flags & report::k_duplicate ? kept_copies : kept_packets);
    }
    EXPECT_EQ(kept_packets + kinds["udp datagram"], r->tally.packets) << "limit " << limit;
    EXPECT_EQ(kept_copies + kinds["duplicate copy"], r->tally.kinds["udp.duplicate"])
        << "limit " << limit;
    EXPECT_GT(kinds["duplicate copy"], 0u) << "limit " << limit;
  }
}

#ifdef SIMSOCK_TSHARK
std::string tshark(const std::string& args) {
  std::string out;
  FILE* pipe = popen((std::string(SIMSOCK_TSHARK) + " " + args + " 2>/dev/null").c_str(), "r");
  if (!pipe) return out;
  char chunk[65536];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) out.append(chunk, n);
  EXPECT_EQ(pclose(pipe), 0) << args;
  return out;
}

std::map<std::string, std::uint64_t> comment_counts(const std::string& file) {
  std::map<std::string, std::uint64_t> counts;
  std::istringstream lines(tshark("-r '" + file + "' -T fields -e frame.comment"));
  std::string line;
  while (std::getline(lines, line)) {
    for (const char* what :
         {"dropped: ", "duplicated: ", "reordered: ", "retransmission ", "delayed: ", "held: "}) {
      if (line.find(what) != std::string::npos) ++counts[what];
    }
    ++counts["packets"];
  }
  return counts;
}

TEST(PcapngRun, TsharkShowsACommentForEveryDecisionTheTraceHas) {
  const auto file =
      fs::temp_directory_path() / ("simsock-report-" + std::to_string(::getpid()) + "-udp.pcapng");
  {
    auto spec = scenario::load_scenario_file(scenario_path("udp-reorder-duplicate"));
    sim::PcapngWriter writer(file.string(), spec.start_time);
    auto r = run("udp-reorder-duplicate", report::k_html_max_items, &writer, &writer);
    writer.flush();
    auto c = comment_counts(file.string());
    EXPECT_EQ(c["packets"], r->tally.packets);
    EXPECT_EQ(c["duplicated: "], r->tally.kinds["udp.duplicate"]);
    EXPECT_EQ(c["reordered: "], r->result.stats.at("udp.reordered"));
    EXPECT_GT(c["reordered: "], 0u);
  }
  const auto tcp =
      fs::temp_directory_path() / ("simsock-report-" + std::to_string(::getpid()) + "-tcp.pcapng");
  {
    auto spec = scenario::load_scenario_file(scenario_path("tcp-loss-retransmit"));
    sim::PcapngWriter writer(tcp.string(), spec.start_time);
    auto r = run("tcp-loss-retransmit", report::k_html_max_items, &writer, &writer);
    writer.flush();
    auto c = comment_counts(tcp.string());
    EXPECT_EQ(c["packets"], r->tally.packets);
    EXPECT_EQ(c["dropped: "], r->tally.dropped);
    EXPECT_EQ(c["retransmission "], r->tally.kinds["tcp.retransmit"]);
    EXPECT_GT(c["retransmission "], 0u);
    const std::string names = tshark("-r '" + tcp.string() + "' -T fields -e frame.interface_name");
    EXPECT_NE(names.find("client"), std::string::npos);
    EXPECT_NE(names.find("server"), std::string::npos);
  }
  fs::remove(file);
  fs::remove(tcp);
}
#endif

TEST(SweepIndex, ListsEachGroupInOrderWithItsKeyCountLowestSeedLinkAndReplay) {
  std::vector<report::SweepIndexRow> rows = {
      {{{"cli exit 0", "timeout: a"}, 5, 1, "cli exit 0: exited 1"},
       "i-seed-1.html",
       "simsock run f.yaml --seed 1"},
      {{{"cli exit 0", "timeout: b"}, 6, 8, "cli exit 0: exited 1"},
       "i-seed-8.html",
       "simsock run f.yaml --seed 8"},
      {{{"srv <state>", ""}, 1, 12, "srv <state>: crashed"}, "", "simsock run f.yaml --seed 12"}};
  const std::string page = report::render_sweep_index("flaky", "f.yaml", "1..20", 20, 12, rows, 3);
  const auto first = page.find(
      "<tr class=\"group\" data-count=\"5\" data-seed=\"1\">"
      "<td>cli exit 0</td><td>timeout: a</td><td>5</td>"
      "<td><a href=\"i-seed-1.html\">seed 1</a></td>");
  const auto second = page.find(
      "<tr class=\"group\" data-count=\"6\" data-seed=\"8\">"
      "<td>cli exit 0</td><td>timeout: b</td><td>6</td>"
      "<td><a href=\"i-seed-8.html\">seed 8</a></td>");
  ASSERT_NE(first, std::string::npos) << page;
  ASSERT_NE(second, std::string::npos) << page;
  EXPECT_LT(first, second);
  EXPECT_NE(page.find("<td>srv &lt;state&gt;</td><td></td><td>1</td><td>12</td>"),
            std::string::npos)
      << page;  // no report: the seed without a link
  EXPECT_NE(page.find("<code>simsock run f.yaml --seed 8</code>"), std::string::npos);
  EXPECT_NE(page.find("failure groups (3)"), std::string::npos);
  EXPECT_NE(page.find("3 more failing seeds fall in further groups"), std::string::npos);
  EXPECT_EQ(report::seed_report_path("out/index.html", 7), "out/index-seed-7.html");
}

TEST(ProgressLine, SaysSeedsFailuresRateAndTimeLeft) {
  using namespace std::chrono_literals;
  EXPECT_EQ(cli::ProgressLine::format("flaky", 50, 200, 3, 10s),
            "sweep flaky: 50/200 seeds, 3 failed, 5.0 seeds/s, ETA 30s");
  EXPECT_EQ(cli::ProgressLine::format("flaky", 0, 200, 0, 0s),
            "sweep flaky: 0/200 seeds, 0 failed");
  EXPECT_EQ(cli::ProgressLine::format("x", 1000, 361000, 0, 1s),
            "sweep x: 1000/361000 seeds, 0 failed, 1000 seeds/s, ETA 6m00s");
  EXPECT_EQ(cli::ProgressLine::format("x", 200, 200, 1, 2s),
            "sweep x: 200/200 seeds, 1 failed, 100 seeds/s");
}

TEST(ProgressLine, RedrawsAtMostEveryIntervalAndNothingWhenNotATerminal) {
  std::ostringstream tty, pipe;
  cli::ProgressLine on(tty, "s", true), off(pipe, "s", false);
  for (std::uint64_t i = 1; i <= 10000; ++i) {
    on.update(i, 100000, i);
    on.clear();  // as before printing each failing seed
    off.update(i, 100000, i);
  }
  on.clear();
  EXPECT_EQ(pipe.str(), "");
  std::size_t redraws = 0;
  for (std::size_t at = tty.str().find("sweep s:"); at != std::string::npos;
       at = tty.str().find("sweep s:", at + 1))
    ++redraws;
  EXPECT_GE(redraws, 1u);
  EXPECT_LT(redraws, 100u);  // 10000 updates in well under 25 s
  EXPECT_EQ(tty.str().substr(tty.str().size() - 4), "\r\033[K");
}

}  // namespace
}  // namespace simsock
