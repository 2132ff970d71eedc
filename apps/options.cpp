// Option declarations, parsing and help text for apps: the one place an app's options are checked,
// whether they come from the command line or from a scenario file's `args:`.
#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <simsock/apps/app.hpp>
#include <simsock/net/endpoint.hpp>
#include <simsock/net/units.hpp>

namespace simsock::apps {

std::string_view option_type_placeholder(OptionType t) {
  switch (t) {
    case OptionType::text:
      return "TEXT";
    case OptionType::host_port:
      return "HOST:PORT";
    case OptionType::endpoint:
      return "IP:PORT";
    case OptionType::count:
      return "N";
    case OptionType::size:
      return "BYTES";
    case OptionType::duration:
      return "DURATION";
  }
  return "VALUE";
}

std::optional<std::string> Options::get(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& Options::all(std::string_view name) const {
  static const std::vector<std::string> none;
  auto it = values_.find(std::string(name));
  return it == values_.end() ? none : it->second;
}

bool Options::has(std::string_view name) const {
  return get(name).has_value();
}

std::string Options::text(std::string_view name) const {
  auto v = get(name);
  if (!v) throw std::logic_error("option --" + std::string(name) + " has no value");
  return *v;
}

std::uint64_t Options::count(std::string_view name) const {
  auto v = net::parse_uint(text(name));
  if (!v) throw std::logic_error("option --" + std::string(name) + " is not a number");
  return *v;
}

std::chrono::nanoseconds Options::duration(std::string_view name) const {
  auto v = net::parse_duration(text(name));
  if (!v) throw std::logic_error("option --" + std::string(name) + " is not a duration");
  return *v;
}

void Options::add(const std::string& name, std::string value) {
  values_[name].push_back(std::move(value));
}

void Options::set_default(const std::string& name, std::string value) {
  auto& v = values_[name];
  if (v.empty()) v.push_back(std::move(value));
}

std::optional<std::string> check_option_value(const OptionSpec& spec, std::string_view value) {
  std::string quoted = "'" + std::string(value) + "'";
  switch (spec.type) {
    case OptionType::text:
      return std::nullopt;
    case OptionType::host_port:
      if (net::parse_host_port(value)) return std::nullopt;
      return quoted + " is not HOST:PORT (e.g. server:21567, 127.0.0.1:21567, [::1]:21567)";
    case OptionType::endpoint:
      if (net::parse_endpoint(value)) return std::nullopt;
      return quoted + " is not IP:PORT with a literal address (e.g. 0.0.0.0:21567, [::]:21567)";
    case OptionType::count: {
      auto v = net::parse_uint(value);
      if (v && (spec.max == 0 || *v <= spec.max)) return std::nullopt;
      if (v) return quoted + " is more than " + std::to_string(spec.max);
      return quoted + " is not a non-negative integer";
    }
    case OptionType::size: {
      const std::uint64_t max = spec.max ? spec.max : (1ULL << 40);
      auto v = net::parse_uint(value);
      if (v && *v > 0 && *v <= max) return std::nullopt;
      if (v && *v > max) return quoted + " is more than " + std::to_string(max) + " bytes";
      return quoted + " is not a positive number of bytes";
    }
    case OptionType::duration:
      if (net::parse_duration(value)) return std::nullopt;
      return quoted +
             " is not a duration (a number with ns, us, ms, s or m, e.g. 200ms, 1.5s, or 0)";
  }
  return std::nullopt;
}

std::optional<OptionError> parse_options(
    const AppSpec& app, const std::vector<std::pair<std::string, std::string>>& args,
    Options& out) {
  for (const auto& arg : args) {
    // Named references, not a structured binding: clang 14 (the loader fuzzer's compiler)
    // cannot capture structured bindings in lambdas.
    const std::string& name = arg.first;
    const std::string& value = arg.second;
    auto spec = std::find_if(app.options.begin(), app.options.end(),
                             [&](const OptionSpec& o) { return o.name == name; });
    if (spec == app.options.end()) {
      std::string known;
      for (const auto& o : app.options) known += (known.empty() ? "--" : ", --") + o.name;
      return OptionError{name, "unknown option --" + name + " for app " + app.name +
                                   " (accepted: " + (known.empty() ? "none" : known) + ")"};
    }
    if (!spec->repeatable && out.has(name)) {
      return OptionError{name, "option --" + name + " given twice; it takes one value"};
    }
    if (auto err = check_option_value(*spec, value)) {
      return OptionError{name, "--" + name + ": " + *err};
    }
    out.add(name, value);
  }
  for (const auto& o : app.options) {
    if (!o.default_value.empty()) out.set_default(o.name, o.default_value);
    if (o.required && !out.has(o.name)) {
      return OptionError{o.name, "missing required option --" + o.name + " " +
                                     std::string(option_type_placeholder(o.type)) + " for app " +
                                     app.name};
    }
  }
  return std::nullopt;
}

std::string describe_options(const AppSpec& app) {
  std::ostringstream s;
  for (const auto& o : app.options) {
    std::string left = "--" + o.name + " " + std::string(option_type_placeholder(o.type));
    s << "    " << left;
    for (std::size_t i = left.size(); i < 24; ++i) s << ' ';
    s << "  " << o.help;
    if (o.required) s << " (required)";
    if (o.repeatable) s << " (repeatable)";
    if (!o.default_value.empty()) s << " (default " << o.default_value << ")";
    if (o.max != 0) s << " (at most " << o.max << ")";
    s << "\n";
  }
  return s.str();
}

const AppSpec* find_app(std::string_view name) {
  return find_app(all_apps(), name);
}

const AppSpec* find_app(const std::vector<AppSpec>& catalog, std::string_view name) {
  for (const auto& a : catalog) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace simsock::apps
