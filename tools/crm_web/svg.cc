#include "svg.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <cstdlib>
#include <memory>

namespace crm::web {

Result<std::string> dot_to_svg(const std::string& dot) {
  // One context for the process: Graphviz's text layout plugin (pango)
  // keeps font data across contexts, and uses it after a context is freed
  // (AddressSanitizer: heap-use-after-free in textspan_size on the second
  // picture). Kept, never freed: reachable, so not a leak.
  static GVC_t* const gvc = gvContext();
  if (!gvc) return internal_error("graphviz: no context");
  agseterr(AGMAX);  // errors become values, not lines on stderr
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.c_str()), agclose);
  if (!g) {
    char* why = aglasterr();  // malloc'd: ours to free
    std::string text = why ? ": " + std::string(why) : "";
    std::free(why);
    return invalid_argument("graphviz: cannot read the DOT text" + text);
  }
  if (gvLayout(gvc, g.get(), "dot") != 0) return internal_error("graphviz: layout failed");
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(gvc, g.get(), "svg", &data, &length);
  std::string svg = rc == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, g.get());
  if (rc != 0) return internal_error("graphviz: rendering as SVG failed");
  return svg;
}

}  // namespace crm::web
