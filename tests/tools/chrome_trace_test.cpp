// The Chrome trace of a run (tools/report/chrome_trace.hpp) against the Trace Event Format and
// against what Perfetto's JSON importer needs to draw it: slices on one track nest, and every
// flow arrow starts and ends inside a slice of its track.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include <simsock/tools/report/chrome_trace.hpp>

#include "report_testutil.hpp"

namespace simsock {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace report_test;

json chrome_trace(const Run& r) {
  std::ostringstream out;
  report::write_chrome_trace(out, *r.timeline, report::header_for(r.result));
  return json::parse(out.str());
}

// The Trace Event Format's rules for each phase this writer uses (the "JSON Object Format" of
// the Trace Event Format document).
void check_event(const json& e, std::set<std::string>& errors) {
  auto bad = [&](const std::string& why) { errors.insert(why + ": " + e.dump()); };
  if (!e.is_object()) return bad("not an object");
  if (!e.contains("ph") || !e["ph"].is_string()) return bad("no ph");
  const std::string ph = e["ph"];
  if (!e.contains("name") || !e["name"].is_string()) bad("no name");
  if (!e.contains("pid") || !e["pid"].is_number_integer()) bad("no integer pid");
  if (!e.contains("tid") || !e["tid"].is_number_integer()) bad("no integer tid");
  if (ph == "M") {
    static const std::set<std::string> names = {"process_name", "process_sort_index",
                                                "thread_name"};
    if (!names.count(e.value("name", ""))) bad("unknown metadata");
    if (!e.contains("args") || !e["args"].is_object()) bad("metadata without args");
    return;
  }
  if (!e.contains("ts") || !e["ts"].is_number() || e["ts"].get<double>() < 0) bad("bad ts");
  if (ph == "X") {
    if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0) bad("bad dur");
  } else if (ph == "i") {
    const std::string s = e.value("s", "");
    if (s != "g" && s != "p" && s != "t") bad("instant scope");
  } else if (ph == "s" || ph == "f") {
    if (!e.contains("id")) bad("flow without id");
    if (ph == "f" && e.value("bp", "") != "e") bad("flow end binding");
  } else if (ph == "b" || ph == "e") {
    if (!e.contains("id")) bad("async event without id");
    if (!e.contains("cat") || !e["cat"].is_string()) bad("async event without category");
  } else {
    bad("unexpected phase " + ph);
  }
}

std::int64_t ns(const json& micros) {
  return std::llround(micros.get<double>() * 1000);
}

// What Perfetto's JSON importer needs to draw the trace as written: complete ("X") slices on one
// (pid, tid) either nest or do not overlap, every flow event ("s", "f") falls inside a slice
// of its own track (start included, end excluded), and every async begin ("b") has its end
// ("e", same pid, category, name and id) no earlier. Returns one line per problem.
std::vector<std::string> structure_errors(const json& events) {
  struct Slice {
    std::int64_t ts, end;
    std::string name;
  };
  std::map<std::pair<int, int>, std::vector<Slice>> tracks;
  for (const auto& e : events) {
    if (e["ph"] != "X") continue;
    const std::int64_t ts = ns(e["ts"]);
    tracks[{e["pid"], e["tid"]}].push_back({ts, ts + ns(e["dur"]), e["name"]});
  }
  std::vector<std::string> errors;
  auto where = [](std::pair<int, int> t) {
    return "pid " + std::to_string(t.first) + " tid " + std::to_string(t.second);
  };
  for (auto& [track, slices] : tracks) {
    std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
      return std::tie(a.ts, b.end) < std::tie(b.ts, a.end);
    });
    std::vector<const Slice*> open;
    for (const auto& s : slices) {
      while (!open.empty() && open.back()->end <= s.ts) open.pop_back();
      if (!open.empty() && s.end > open.back()->end) {
        errors.push_back(where(track) + ": \"" + s.name + "\" " + std::to_string(s.ts) + ".." +
                         std::to_string(s.end) + " overlaps \"" + open.back()->name + "\" " +
                         std::to_string(open.back()->ts) + ".." + std::to_string(open.back()->end));
      }
      open.push_back(&s);
    }
  }
  std::map<std::tuple<int, std::string, std::string, std::string>, std::vector<std::int64_t>> async;
  for (const auto& e : events) {
    const std::string ph = e["ph"];
    if (ph == "b" || ph == "e") {
      auto& begins = async[{e["pid"], e["cat"], e["name"], e["id"].dump()}];
      if (ph == "b") {
        begins.push_back(ns(e["ts"]));
      } else if (begins.empty() || begins.back() > ns(e["ts"])) {
        errors.push_back("async end without an earlier begin: " + e.dump());
      } else {
        begins.pop_back();
      }
    }
    if (ph != "s" && ph != "f") continue;
    const std::pair<int, int> track{e["pid"], e["tid"]};
    const std::int64_t t = ns(e["ts"]);
    const auto& slices = tracks[track];
    const bool bound = std::any_of(slices.begin(), slices.end(),
                                   [&](const Slice& s) { return s.ts <= t && t < s.end; });
    if (!bound) {
      errors.push_back(where(track) + ": flow " + ph + " at " + std::to_string(t) +
                       " ns is in no slice: " + e.dump());
    }
  }
  for (const auto& [key, begins] : async) {
    if (!begins.empty()) errors.push_back("async begin without an end: " + std::get<2>(key));
  }
  return errors;
}

TEST(ChromeTrace, FollowsTheTraceEventFormatWithHostsAsProcesses) {
  auto r = run("tcp-loss-retransmit", report::k_chrome_max_items);
  json j = chrome_trace(*r);
  ASSERT_TRUE(j["traceEvents"].is_array());
  EXPECT_EQ(j["displayTimeUnit"], "ns");
  EXPECT_EQ(j["metadata"]["scenario"], "tcp-loss-retransmit");
  std::set<std::string> errors;
  std::map<std::string, std::uint64_t> phases;
  std::set<std::string> process_names;
  std::map<std::uint64_t, int> flows;
  std::uint64_t drops = 0;
  for (const auto& e : j["traceEvents"]) {
    check_event(e, errors);
    const std::string ph = e.value("ph", "");
    ++phases[ph];
    if (ph == "M" && e["name"] == "process_name") process_names.insert(e["args"]["name"]);
    if (ph == "s") ++flows[e["id"].get<std::uint64_t>()];
    if (ph == "f") --flows[e["id"].get<std::uint64_t>()];
    if (ph == "i" && e.value("cat", "") == "drop") ++drops;
  }
  EXPECT_TRUE(errors.empty()) << *errors.begin();
  EXPECT_EQ(process_names, (std::set<std::string>{"server", "client"}));
  // A packet is an async slice from its send to its arrival or drop.
  EXPECT_EQ(phases["b"], r->tally.packets);
  EXPECT_EQ(phases["e"], r->tally.packets);
  EXPECT_EQ(drops, r->tally.dropped);
  for (const auto& [id, balance] : flows) EXPECT_EQ(balance, 0) << "flow " << id;
  EXPECT_EQ(phases["s"], r->tally.packets - r->tally.dropped);
}

TEST(ChromeTrace, SlicesOnATrackNestAndEveryFlowBindsToASliceOfItsTrackInEveryScenario) {
  std::vector<std::string> names;
  for (const auto& f : fs::directory_iterator(std::string(SIMSOCK_SOURCE_DIR) + "/scenarios"))
    if (f.path().extension() == ".yaml") names.push_back(f.path().stem().string());
  std::sort(names.begin(), names.end());
  // The scenarios whose jitter, serialisation delay, reordering and fragmentation made packets
  // overlap on their connection's track and flows end outside any slice.
  for (const char* must :
       {"udp-reorder-duplicate", "slow-link", "tcp-fragmented", "tcp-loss-retransmit"})
    ASSERT_NE(std::find(names.begin(), names.end(), must), names.end()) << must;
  for (const auto& name : names) {
    auto r = run(name, report::k_chrome_max_items);
    json j = chrome_trace(*r);
    std::uint64_t flows = 0;
    for (const auto& e : j["traceEvents"]) flows += e["ph"] == "f";
    // An arrow per packet and duplicate copy that arrived.
    EXPECT_EQ(flows, r->tally.packets + r->tally.kinds["udp.duplicate"] - r->tally.dropped) << name;
    const auto errors = structure_errors(j["traceEvents"]);
    EXPECT_TRUE(errors.empty()) << name << ": " << errors.size()
                                << " problems, the first: " << errors.front();
  }
}

TEST(ChromeTrace, FaultsAreGlobalInstantEvents) {
  auto r = run("crash-restart", report::k_chrome_max_items);
  json j = chrome_trace(*r);
  std::uint64_t faults = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e.value("cat", "") == "fault") {
      EXPECT_EQ(e["s"], "g");
      ++faults;
    }
  }
  EXPECT_EQ(faults, r->tally.kinds["fault"]);
  EXPECT_GT(faults, 0u);
}

}  // namespace
}  // namespace simsock
