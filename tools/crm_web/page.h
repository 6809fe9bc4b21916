// The dashboard's HTML page (page.cc).
#pragma once

namespace crm::web {

const char* dashboard_page();

}  // namespace crm::web
