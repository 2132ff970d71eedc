// What an app is: a declared set of options and a coroutine that runs against net::Network.
// The same declaration drives `simsock app NAME --opt v`, `simsock apps` and the scenario loader's
// `args:` checking, so an option is written down exactly once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simsock/net/network.hpp>

namespace simsock::apps {

namespace asio = boost::asio;

// The type of an option's value, checked before the app starts.
enum class OptionType {
  text,       // any string
  host_port,  // "HOST:PORT" (HOST a name or an address)
  endpoint,   // "IP:PORT" with a literal address (what servers listen on)
  count,      // a non-negative integer
  size,       // a positive integer number of bytes
  duration,   // "200ms", "1s", "0"
};

// "HOST:PORT", "IP:PORT", "N", "BYTES", "DURATION", "TEXT".
std::string_view option_type_placeholder(OptionType t);

struct OptionSpec {
  std::string name;  // without the leading "--"
  OptionType type = OptionType::text;
  std::string help;
  std::string default_value;  // empty: no default
  bool required = false;
  bool repeatable = false;
  // For count and size options: the largest value accepted (0: 2^40 for sizes, none for counts).
  // Bounds what one option can make an app allocate.
  std::uint64_t max = 0;
};

// The parsed options of one app instance: each given option's values, in order, defaults filled.
class Options {
 public:
  // The last value of `name`, or nullopt when neither given nor defaulted.
  std::optional<std::string> get(std::string_view name) const;
  // Every value of a repeatable option, in the order given.
  const std::vector<std::string>& all(std::string_view name) const;
  // Typed accessors for validated options (they were checked by parse_options()).
  std::string text(std::string_view name) const;
  std::uint64_t count(std::string_view name) const;
  std::chrono::nanoseconds duration(std::string_view name) const;
  bool has(std::string_view name) const;

  void add(const std::string& name, std::string value);
  void set_default(const std::string& name, std::string value);
  const std::map<std::string, std::vector<std::string>>& values() const { return values_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// Standard input and output of one app instance: the terminal on real sockets, captured strings
// in simulation.
class Stdio {
 public:
  virtual ~Stdio() = default;
  virtual void out(std::string_view text) = 0;
  virtual void err(std::string_view text) = 0;
  // The next line of standard input without its "\n" (and without a trailing "\r"), or nullopt
  // at end of input.
  virtual std::optional<std::string> read_line() = 0;
};

// Everything an app instance gets.
struct AppContext {
  net::Network& net;
  const Options& options;
  Stdio& io;
};

// An app's body: returns the process exit code. May throw; the runner reports it as a failure.
using AppMain = asio::awaitable<int> (*)(AppContext& ctx);

// The exit status of a client stopped (SIGINT, SIGTERM) before it finished, as a shell reports
// a process killed by SIGINT.
inline constexpr int kInterruptedExit = 130;

struct AppSpec {
  std::string name;
  std::string summary;  // one line for `simsock apps`
  std::vector<OptionSpec> options;
  AppMain main = nullptr;
  // True for servers: they run until stopped, so SIGINT/SIGTERM is their normal end (exit 0).
  // Any other app stopped that way did not finish its work: "NAME: interrupted" on stderr and
  // exit kInterruptedExit.
  bool runs_until_stopped = false;
};

// Every app, sorted by name.
const std::vector<AppSpec>& all_apps();
// The app called `name` among the built-in apps, or null.
const AppSpec* find_app(std::string_view name);

// A catalog: the built-in apps and `own` (a user's apps), sorted by name, for cli::main, the
// scenario loader, run_scenario_file and Sim::start_app. Throws std::invalid_argument naming the
// app when one of `own` has an empty name or a name with characters other than letters, digits,
// '-', '_' and '.', no body (main), a name already taken (built-in or repeated), or an option with
// an empty or repeated name, or a default its own type refuses.
std::vector<AppSpec> with_builtin_apps(std::vector<AppSpec> own);

// The app called `name` in `catalog`, or null.
const AppSpec* find_app(const std::vector<AppSpec>& catalog, std::string_view name);

// An option error: which option, which value, and what would be accepted.
struct OptionError {
  std::string option;   // without "--"
  std::string message;  // full sentence, e.g. "--timeout: '5x' is not a duration (e.g. 200ms, 1s)"
};

// Checks one value against its option's type. Returns an error message or nullopt.
std::optional<std::string> check_option_value(const OptionSpec& spec, std::string_view value);

// Validates (name, value) pairs against the app's declaration: unknown option, repeated
// non-repeatable option, bad value, missing required option. Fills defaults.
std::optional<OptionError> parse_options(
    const AppSpec& app, const std::vector<std::pair<std::string, std::string>>& args, Options& out);

// "--listen HOST:PORT  listen here (default 0.0.0.0:21567)" lines for one app.
std::string describe_options(const AppSpec& app);

}  // namespace simsock::apps
