#include "text.h"

#include <cctype>

namespace crm::import {

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.emplace_back(line.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> split(std::string_view text, std::string_view sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(text.substr(start));
      return out;
    }
    out.emplace_back(text.substr(start, pos - start));
    start = pos + sep.size();
  }
}

std::vector<Line> logical_lines(std::string_view text, std::string_view comment_chars, bool continuation) {
  std::vector<Line> out;
  std::string pending;
  long pending_start = 0;
  long number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(pos, end - pos));
    ++number;
    pos = end + 1;
    size_t c = line.find_first_of(comment_chars);
    if (c != std::string::npos) line.resize(c);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    bool continues = continuation && !line.empty() && line.back() == '\\';
    if (continues) line.pop_back();
    if (pending.empty() && pending_start == 0) pending_start = number;
    pending += (pending.empty() ? "" : " ") + line;
    if (continues && pos <= text.size()) continue;
    if (!words(pending).empty()) out.push_back({pending_start, pending});
    pending.clear();
    pending_start = 0;
    if (end == text.size()) break;
  }
  return out;
}

bool is_number(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace crm::import
