#include "svg.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>

namespace crm::web {

Result<std::string> dot_to_svg(const std::string& dot) {
  // One context per picture: pictures are drawn on request, rarely.
  std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
  if (!gvc) return internal_error("graphviz: no context");
  agseterr(AGMAX);  // errors become values, not lines on stderr
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.c_str()), agclose);
  if (!g) {
    const char* why = aglasterr();
    return invalid_argument(std::string("graphviz: cannot read the DOT text") + (why ? ": " + std::string(why) : ""));
  }
  if (gvLayout(gvc.get(), g.get(), "dot") != 0) return internal_error("graphviz: layout failed");
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(gvc.get(), g.get(), "svg", &data, &length);
  std::string svg = rc == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc.get(), g.get());
  if (rc != 0) return internal_error("graphviz: rendering as SVG failed");
  return svg;
}

}  // namespace crm::web
