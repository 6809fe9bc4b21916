#include "config.h"

#include <fstream>
#include <limits>
#include <sstream>

namespace crm::launcher {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// A whole number within [min, max] (counts and delays: not negative).
Result<long> to_number(const std::string& v, const std::string& where, long min = 0,
                       long max = std::numeric_limits<long>::max()) {
  try {
    size_t used = 0;
    long n = std::stol(v, &used);
    if (used != v.size() || n < min || n > max) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    if (min == 0 && max == std::numeric_limits<long>::max()) {
      return parse_error(where + ": '" + v + "' is not a non-negative number");
    }
    return parse_error(where + ": '" + v + "' is not a number from " + std::to_string(min) + " to " +
                       std::to_string(max));
  }
}

constexpr std::chrono::seconds kCrmdShutdownTimeout{300};

}  // namespace

Config default_config() {
  Result<Config> c = parse_config("daemons = cibd lrmd fenced attrd crmd\n");
  return c.value();
}

Result<Config> parse_config(const std::string& text) {
  Config c;
  std::vector<std::string> names = {"cibd", "lrmd", "fenced", "attrd", "crmd"};
  std::map<std::string, std::vector<std::string>> args;
  std::map<std::string, long> stop_timeouts;
  long stop_timeout = 30;
  int nice = 0;
  std::map<std::string, int> nices;
  long shutdown_timeout = kCrmdShutdownTimeout.count();
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = trim(line);
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(lineno);
    auto eq = line.find('=');
    if (eq == std::string::npos) return parse_error(where + ": expected 'key = value'");
    const std::string key = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    auto number = [&]() { return to_number(value, where); };
    if (key == "daemons") {
      names = words(value);
    } else if (key == "bin_dir") {
      c.bin_dir = value;
    } else if (key == "log_file") {
      c.log_file = value;
    } else if (key == "max_restarts") {
      ASSIGN_OR_RETURN(long n, number());
      c.max_restarts = static_cast<int>(n);
    } else if (key == "restart_window") {
      ASSIGN_OR_RETURN(long n, number());
      c.restart_window = std::chrono::seconds(n);
    } else if (key == "restart_delay_ms") {
      ASSIGN_OR_RETURN(long n, number());
      c.restart_delay = std::chrono::milliseconds(n);
    } else if (key == "restart_delay_max_ms") {
      ASSIGN_OR_RETURN(long n, number());
      c.restart_delay_max = std::chrono::milliseconds(n);
    } else if (key == "start_delay_ms") {
      ASSIGN_OR_RETURN(long n, number());
      c.start_delay = std::chrono::milliseconds(n);
    } else if (key == "stop_timeout") {
      ASSIGN_OR_RETURN(stop_timeout, number());
    } else if (key == "shutdown_timeout") {
      ASSIGN_OR_RETURN(shutdown_timeout, number());
    } else if (key.rfind("args.", 0) == 0) {
      args[key.substr(5)] = words(value);
    } else if (key.rfind("stop_timeout.", 0) == 0) {
      ASSIGN_OR_RETURN(long n, number());
      stop_timeouts[key.substr(13)] = n;
    } else if (key == "nice" || key.rfind("nice.", 0) == 0) {
      ASSIGN_OR_RETURN(long n, to_number(value, where, -20, 19));
      if (key == "nice") nice = static_cast<int>(n);
      else nices[key.substr(5)] = static_cast<int>(n);
    } else {
      return parse_error(where + ": unknown key '" + key + "'");
    }
  }
  for (const auto& n : names) {
    if (n.find('/') != std::string::npos) return parse_error("daemon name '" + n + "' must not contain '/'");
    DaemonSpec d;
    d.name = n;
    d.args = args[n];
    long t = n == "crmd" ? shutdown_timeout : stop_timeout;
    if (auto it = stop_timeouts.find(n); it != stop_timeouts.end()) t = it->second;
    d.stop_timeout = std::chrono::seconds(t);
    d.nice = nice;
    if (auto it = nices.find(n); it != nices.end()) d.nice = it->second;
    c.daemons.push_back(std::move(d));
  }
  return c;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream f(path);
  if (!f) return not_found("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  auto c = parse_config(ss.str());
  if (!c.ok()) return c.status().with_context(path);
  return c;
}

}  // namespace crm::launcher
