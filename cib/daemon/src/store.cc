#include "crm/cib/store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>

#include <fmt/format.h>

namespace crm::cib {
namespace {

constexpr const char* kPrefix = "cib-";

// "cib-12.xml" -> 12 (ext ".xml"); nullopt for other names.
std::optional<uint64_t> seq_of(const std::string& name, const std::string& ext) {
  if (name.size() <= 4 + ext.size() || name.compare(0, 4, kPrefix) != 0) return std::nullopt;
  if (name.compare(name.size() - ext.size(), ext.size(), ext) != 0) return std::nullopt;
  std::string digits = name.substr(4, name.size() - 4 - ext.size());
  if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::strtoull(digits.c_str(), nullptr, 10);
}

std::string signature(const std::string& data) {
  return fmt::format("sha256 {} {}\n", CibStore::sha256_hex(data), data.size());
}

}  // namespace

CibStore::CibStore(FileSystem& fs, StoreOptions options) : fs_(fs), options_(std::move(options)) {
  if (options_.keep < 1) options_.keep = 1;
}

std::string CibStore::default_dir() {
  const char* env = std::getenv("CRM_STATE_DIR");
  return std::string(env && *env ? env : "/var/lib/crm") + "/cib";
}

std::string CibStore::sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

std::string CibStore::path(uint64_t seq, const char* ext) const {
  return fmt::format("{}/{}{}{}", options_.dir, kPrefix, seq, ext);
}

Result<CibStore::Loaded> CibStore::load() {
  RETURN_IF_ERROR(fs_.create_dirs(options_.dir).with_context("preparing the CIB directory"));
  dir_ready_ = true;
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.list_dir(options_.dir));
  std::vector<uint64_t> seqs;
  for (const auto& name : names) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      (void)fs_.remove(options_.dir + "/" + name);  // an interrupted save
      continue;
    }
    if (auto s = seq_of(name, ".xml")) seqs.push_back(*s);
    if (auto s = seq_of(name, ".sig")) seq_ = std::max(seq_, *s);
  }
  std::sort(seqs.rbegin(), seqs.rend());
  Loaded out;
  if (!seqs.empty()) seq_ = std::max(seq_, seqs.front());
  for (uint64_t s : seqs) {
    std::string xml_path = path(s, ".xml");
    auto data = fs_.read_file(xml_path);
    if (!data.ok()) {
      out.warnings.push_back(fmt::format("skipping {}: {}", xml_path, data.status().to_string()));
      continue;
    }
    auto sig = fs_.read_file(path(s, ".sig"));
    if (!sig.ok()) {
      out.warnings.push_back(fmt::format("skipping {}: no digest file beside it (interrupted save?)", xml_path));
      continue;
    }
    if (*sig != signature(*data)) {
      out.warnings.push_back(fmt::format("skipping {}: digest mismatch ({} bytes on disk; file corrupt or truncated)",
                                         xml_path, data->size()));
      continue;
    }
    auto cib = Cib::parse(*data, xml_path);
    if (!cib.ok()) {
      out.warnings.push_back(fmt::format("skipping {}: {}", xml_path, cib.status().to_string()));
      continue;
    }
    out.cib.emplace(std::move(cib).value());
    out.file = xml_path;
    out.seq = s;
    break;
  }
  if (!out.cib && !seqs.empty())
    out.warnings.push_back(fmt::format("no good CIB copy in {}: starting empty", options_.dir));
  else if (out.cib && !out.warnings.empty())
    out.warnings.push_back(fmt::format("fell back to {} (version {})", out.file, out.cib->version().to_string()));
  return out;
}

Status CibStore::save(const Cib& cib) { return save_text(cib.serialize(false)); }

Status CibStore::save_text(const std::string& xml_text) {
  if (!dir_ready_) {
    RETURN_IF_ERROR(fs_.create_dirs(options_.dir).with_context("preparing the CIB directory"));
    dir_ready_ = true;
  }
  uint64_t next = seq_ + 1;
  std::string xml_path = path(next, ".xml"), sig_path = path(next, ".sig");
  std::string xml_tmp = xml_path + ".tmp", sig_tmp = sig_path + ".tmp";
  auto ctx = [&](const char* step) { return fmt::format("saving CIB generation {} ({})", next, step); };
  RETURN_IF_ERROR(fs_.write_file(xml_tmp, xml_text).with_context(ctx("write")));
  RETURN_IF_ERROR(fs_.write_file(sig_tmp, signature(xml_text)).with_context(ctx("write digest")));
  RETURN_IF_ERROR(fs_.sync_file(xml_tmp).with_context(ctx("fsync")));
  RETURN_IF_ERROR(fs_.sync_file(sig_tmp).with_context(ctx("fsync digest")));
  RETURN_IF_ERROR(fs_.rename(xml_tmp, xml_path).with_context(ctx("rename")));
  RETURN_IF_ERROR(fs_.rename(sig_tmp, sig_path).with_context(ctx("rename digest")));
  seq_ = next;  // the name is taken even if the directory sync fails
  RETURN_IF_ERROR(fs_.sync_dir(options_.dir).with_context(ctx("fsync directory")));
  // Prune generations beyond `keep`; failures here cost disk space only.
  if (next > static_cast<uint64_t>(options_.keep)) {
    auto names = fs_.list_dir(options_.dir);
    if (names.ok()) {
      for (const auto& name : *names) {
        auto s = seq_of(name, ".xml");
        if (!s) s = seq_of(name, ".sig");
        if (s && *s + static_cast<uint64_t>(options_.keep) <= next) (void)fs_.remove(options_.dir + "/" + name);
      }
    }
  }
  return Status::Ok();
}

}  // namespace crm::cib
