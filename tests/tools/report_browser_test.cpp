// The HTML report in a real browser: headless Chromium (Debian's chromium, which tools/test
// installs) opens pages `simsock run --html` wrote, in a network namespace without any network
// (unshare -n) and with a fresh profile, and the page's own drawing is compared with the run's
// trace through the counts it publishes on #hook (data-lanes, data-arrows, data-drops, ...). URL
// fragments drive zoom and filter (#zoom=8, #filter=conn:N); a screenshot must show the
// diagram's arrows where the page says its canvas is.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int shell(const std::string& cmd) {
  int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

class ReportBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(SIMSOCK_CHROMIUM))
        << "chromium is not installed (tools/test installs Debian's chromium package)";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("simsock-browser-" + std::to_string(::getpid()) + "-" + info->name());
    fs::create_directories(dir_ / "profile");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `simsock run SCENARIO --html report.html --trace trace.jsonl`; returns the report's path.
  fs::path write_report(const std::string& scenario) {
    const auto report = dir_ / "report.html";
    const std::string cmd = "'" SIMSOCK_BIN "' run '" SIMSOCK_SOURCE_DIR "/scenarios/" + scenario +
                            ".yaml' -q --html '" + report.string() + "' --trace '" +
                            (dir_ / "trace.jsonl").string() + "' --pcapng '" +
                            (dir_ / "run.pcapng").string() + "' >/dev/null";
    EXPECT_EQ(shell(cmd), 0) << cmd;
    return report;
  }

  // Chromium, headless, without network, with a fresh profile; `what` is its action
  // ("--dump-dom" or "--screenshot=FILE"). Returns its standard output.
  std::string chromium(const fs::path& page, const std::string& fragment, const std::string& what) {
    const auto out = dir_ / "chromium.out";
    const std::string cmd =
        "unshare -n timeout 120 '" SIMSOCK_CHROMIUM
        "' --headless=new --no-sandbox --disable-gpu --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=1400,900 --user-data-dir='" +
        (dir_ / "profile").string() + "' " + what + " 'file://" + page.string() + fragment +
        "' >'" + out.string() + "' 2>/dev/null";
    EXPECT_EQ(shell(cmd), 0) << cmd;
    return slurp(out);
  }

  // The data-* attributes of #hook after the page drew.
  std::map<std::string, std::string> hook(const fs::path& page, const std::string& fragment) {
    const std::string dom = chromium(page, fragment, "--dump-dom");
    std::smatch m;
    std::map<std::string, std::string> attrs;
    if (!std::regex_search(dom, m, std::regex("<div id=\"hook\"[^>]*>"))) {
      ADD_FAILURE() << "no #hook in the page's DOM:\n" << dom.substr(0, 2000);
      return attrs;
    }
    const std::string tag = m.str();
    std::regex attr("data-([a-z0-9]+)=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(tag.begin(), tag.end(), attr); it != std::sregex_iterator();
         ++it)
      attrs[(*it)[1]] = (*it)[2];
    last_dom_ = dom;
    return attrs;
  }

  // Event counts of the trace, by kind.
  std::map<std::string, long> trace_kinds() {
    std::map<std::string, long> kinds;
    std::istringstream lines(slurp(dir_ / "trace.jsonl"));
    std::string line;
    while (std::getline(lines, line)) ++kinds[nlohmann::json::parse(line)["ev"]];
    return kinds;
  }

  fs::path dir_;
  std::string last_dom_;
};

long num(const std::map<std::string, std::string>& h, const std::string& k) {
  auto it = h.find(k);
  return it == h.end() ? -1 : std::stol(it->second);
}

// A PNG's pixels as RGB (8-bit, colour types 2 and 6, no interlacing: what Chromium writes).
struct Image {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

std::uint32_t be32(const std::string& s, std::size_t at) {
  return static_cast<std::uint32_t>(
      static_cast<std::uint8_t>(s[at]) << 24 | static_cast<std::uint8_t>(s[at + 1]) << 16 |
      static_cast<std::uint8_t>(s[at + 2]) << 8 | static_cast<std::uint8_t>(s[at + 3]));
}

Image decode_png(const std::string& png) {
  Image img;
  if (png.size() < 8 || png.compare(1, 3, "PNG") != 0) return img;
  std::string idat;
  int depth = 0, colour = 0, interlace = 0;
  for (std::size_t at = 8; at + 8 <= png.size();) {
    const std::uint32_t len = be32(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (type == "IHDR") {
      img.width = be32(png, at + 8);
      img.height = be32(png, at + 12);
      depth = static_cast<std::uint8_t>(png[at + 16]);
      colour = static_cast<std::uint8_t>(png[at + 17]);
      interlace = static_cast<std::uint8_t>(png[at + 20]);
    } else if (type == "IDAT") {
      idat += png.substr(at + 8, len);
    }
    at += 12 + len;
  }
  if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0) return {};
  const std::size_t bpp = colour == 6 ? 4 : 3, stride = img.width * bpp;
  std::vector<std::uint8_t> raw((stride + 1) * img.height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
      Z_OK)
    return {};
  std::vector<std::uint8_t> prev(stride, 0), row(stride);
  img.rgb.reserve(img.width * img.height * 3);
  for (std::uint32_t y = 0; y < img.height; ++y) {
    const std::uint8_t* line = raw.data() + y * (stride + 1);
    const int filter = line[0];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= bpp ? row[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
      int pred = 0;
      switch (filter) {
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) / 2;
          break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          pred = 0;
      }
      row[x] = static_cast<std::uint8_t>(line[1 + x] + pred);
    }
    for (std::uint32_t x = 0; x < img.width; ++x)
      for (int k = 0; k < 3; ++k) img.rgb.push_back(row[x * bpp + k]);
    prev = row;
  }
  return img;
}

TEST_F(ReportBrowser, FlagshipReportDrawsALanePerHostAndAnArrowPerTracedPacket) {
  const auto page = write_report("tcp-fragmented");
  auto kinds = trace_kinds();
  auto h = hook(page, "");
  EXPECT_EQ(num(h, "lanes"), 2);  // server and client
  // Without pure ACKs, an arrow per data segment, FIN and RST of the trace, plus the SYNs and
  // SYN-ACKs (two per connection: the trace's tcp.connect events).
  const long traced = kinds["tcp.segment"] + kinds["tcp.retransmit"] + kinds["tcp.fin"] +
                      kinds["tcp.rst"] + 2 * kinds["tcp.connect"];
  EXPECT_EQ(num(h, "arrows"), traced);
  EXPECT_GT(traced, 40);
  EXPECT_EQ(num(h, "drops"), kinds["udp.drop"] + kinds["tcp.drop"]);
  EXPECT_EQ(num(h, "marks"), kinds["process.start"] + kinds["process.exit"] + kinds["tcp.connect"] +
                                 kinds["tcp.accept"]);
  // The header shows the verdict, the expectations and the replay line.
  EXPECT_NE(last_dom_.find("PASS"), std::string::npos);
  EXPECT_NE(last_dom_.find("cli exit 0"), std::string::npos);
  EXPECT_NE(last_dom_.find("--seed 7"), std::string::npos);

  // Every packet, ACKs included: the capture's packet count.
  auto all = hook(page, "#acks=1");
  const std::string count = "tshark -r '" + (dir_ / "run.pcapng").string() +
                            "' -T fields -e frame.number 2>/dev/null | wc -l >'" +
                            (dir_ / "count").string() + "'";
  ASSERT_EQ(shell(count), 0);
  EXPECT_EQ(num(all, "arrows"), std::stol(slurp(dir_ / "count")));
  EXPECT_GT(num(all, "arrows"), num(h, "arrows"));
}

TEST_F(ReportBrowser, ZoomAndFilterChangeWhatIsDrawn) {
  const auto page = write_report("tcp-fragmented");
  auto whole = hook(page, "");
  auto zoomed = hook(page, "#zoom=8");
  EXPECT_LT(std::stod(zoomed["view1"]) - std::stod(zoomed["view0"]),
            (std::stod(whole["view1"]) - std::stod(whole["view0"])) / 7);
  EXPECT_GT(num(zoomed, "arrows"), 0);
  EXPECT_LT(num(zoomed, "arrows"), num(whole, "arrows"));
  // The filter's choices are the page's <option>s; one connection shows fewer arrows.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(last_dom_, m, std::regex("<option value=\"(conn:[0-9]+)\">tcp ")))
      << "no connection in the filter";
  const std::string conn = m[1].str();  // m points into last_dom_, which the next hook replaces
  auto one = hook(page, "#filter=" + conn);
  EXPECT_EQ(one["filter"], conn);
  EXPECT_GT(num(one, "arrows"), 0);
  EXPECT_LT(num(one, "arrows"), num(whole, "arrows"));
}

TEST_F(ReportBrowser, DropsEndInAMarkForEveryTracedDrop) {
  const auto page = write_report("udp-loss");
  auto kinds = trace_kinds();
  auto h = hook(page, "");
  EXPECT_EQ(num(h, "lanes"), 2);
  EXPECT_EQ(num(h, "drops"), kinds["udp.drop"] + kinds["tcp.drop"]);
  EXPECT_GT(num(h, "drops"), 0);
  EXPECT_EQ(num(h, "arrows"), kinds["udp.send"] + kinds["udp.duplicate"]);
}

TEST_F(ReportBrowser, ABundleOfSegmentsHoldsOneConnection) {
  // tcp-fragmented's two clients send the same lines at the same instants over the same link:
  // their segments share send and arrival instants but are two bundles, one per connection.
  const auto page = write_report("tcp-fragmented");
  auto h = hook(page, "");
  EXPECT_EQ(num(h, "bundleconns"), 1);
  EXPECT_GT(num(h, "bundles"), 0);
  EXPECT_LT(num(h, "bundles"), num(h, "arrows"));  // some segments are bundled
}

// Pixels of the sequence diagram's canvas, as the screenshot shows it (rows `top` to
// `top + height`, right of the lane names), close to TCP data's blue (#1f5fbf).
std::size_t diagram_blue_pixels(const Image& img, long top, long height) {
  std::size_t n = 0;
  for (long y = std::max(0L, top); y < std::min<long>(img.height, top + height); ++y) {
    for (std::uint32_t x = 150; x < img.width; ++x) {
      const std::uint8_t* p = &img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3];
      if (std::abs(p[0] - 0x1f) + std::abs(p[1] - 0x5f) + std::abs(p[2] - 0xbf) < 60) ++n;
    }
  }
  return n;
}

TEST_F(ReportBrowser, AScreenshotOfTheReportShowsTheDiagramsArrows) {
  const auto page = write_report("tcp-fragmented");
  auto h = hook(page, "");
  const long top = num(h, "maintop"), height = num(h, "mainheight");
  ASSERT_GT(height, 100);
  EXPECT_GT(num(h, "painted"), 100) << "the page found its canvas blank";
  auto shot = [&](const fs::path& html) {
    const auto png = dir_ / "shot.png";
    fs::remove(png);
    chromium(html, "", "--screenshot='" + png.string() + "'");
    return decode_png(slurp(png));
  };
  const Image img = shot(page);
  ASSERT_EQ(img.width, 1400u);
  ASSERT_GE(img.height, static_cast<std::uint32_t>(top + height)) << "the canvas is off-screen";
  // About 1,900 such pixels where tcp-fragmented's data arrows are drawn.
  const std::size_t blue = diagram_blue_pixels(img, top, height);
  EXPECT_GT(blue, 500u) << "the diagram's canvas shows almost no TCP data arrows";
  // The same page with its canvases hidden (none there) must not pass.
  std::string hidden = slurp(page);
  hidden.replace(hidden.find("</style>"), 0, "#main,#counters{visibility:hidden}");
  const auto hidden_page = dir_ / "hidden.html";
  std::ofstream(hidden_page) << hidden;
  EXPECT_LT(diagram_blue_pixels(shot(hidden_page), top, height), 500u)
      << "the check does not tell a drawn diagram from a hidden one";
}

}  // namespace
