// Small text helpers the line-oriented importers share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crm::import {

// Splits on blanks (spaces, tabs); no quoting.
std::vector<std::string> words(std::string_view line);
// Splits on every occurrence of `sep` (empty fields kept).
std::vector<std::string> split(std::string_view text, std::string_view sep);
// A source line: its text without the comment, and its number (1-based).
struct Line {
  long number;
  std::string text;
};
// Lines without `comment_chars` comments, blank ones dropped; a line ending in
// '\' continues on the next (numbered as its first line) when `continuation`.
std::vector<Line> logical_lines(std::string_view text, std::string_view comment_chars, bool continuation);
bool is_number(std::string_view s);

}  // namespace crm::import
