// The file-level entry shared by crm_import and crm_shell's `configure import`.
#include <filesystem>

#include "crm/import/import.h"

namespace crm::import {
namespace {

Result<Source> load(FileReader& reader, const std::string& path) {
  auto text = reader.read(path);
  if (!text.ok()) return text.status();
  return Source{path, *text};
}

}  // namespace

Result<Imported> import_files(const std::string& kind, const std::vector<std::string>& files,
                              const std::vector<std::string>& nodes, bool strict, FileReader* reader) {
  FileReader& r = reader ? *reader : real_files();
  if (kind == "haresources") {
    std::optional<Source> haresources, ha_cf;
    for (const auto& f : files) {
      auto src = load(r, f);
      if (!src.ok()) return src.status();
      bool is_ha_cf = std::filesystem::path(f).filename().string().ends_with("ha.cf");
      auto& slot = is_ha_cf ? ha_cf : haresources;
      if (slot)
        return invalid_argument("more than one " + std::string(is_ha_cf ? "ha.cf" : "haresources") + " file given");
      slot = std::move(*src);
    }
    if (!haresources) return invalid_argument("no haresources file given");
    return from_haresources(*haresources, ha_cf);
  }
  if (kind == "keepalived") {
    std::vector<KeepalivedNode> confs;
    for (const auto& f : files) {
      auto src = load(r, f);
      if (!src.ok()) return src.status();
      confs.push_back({"", std::move(*src)});
    }
    for (const auto& spec : nodes) {
      size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
        return invalid_argument("node file '" + spec + "': expected NAME=FILE");
      }
      auto src = load(r, spec.substr(eq + 1));
      if (!src.ok()) return src.status();
      confs.push_back({spec.substr(0, eq), std::move(*src)});
    }
    if (confs.empty()) return invalid_argument("no keepalived.conf given");
    return from_keepalived(confs, {.strict = strict, .files = &r});
  }
  if (kind == "cluster.conf") {
    if (files.size() != 1) return invalid_argument("cluster.conf takes exactly one file");
    auto src = load(r, files[0]);
    if (!src.ok()) return src.status();
    return from_cluster_conf(*src);
  }
  return invalid_argument("unknown kind '" + kind + "': expected haresources, keepalived or cluster.conf");
}

}  // namespace crm::import
