// Graphviz at the edge: DOT text in, SVG out (libgvc, the "dot" layout).
// Graphviz escapes the labels it writes into the SVG.
#pragma once

#include <string>

#include "crm/core/status.h"

namespace crm::web {

Result<std::string> dot_to_svg(const std::string& dot);

}  // namespace crm::web
