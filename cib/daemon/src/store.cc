#include "crm/cib/store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>

#include <fmt/format.h>

#include "configuration_only.h"
#include "crm/cib/request.h"

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

std::string journal_record(const JournalEntry& e) {
  return fmt::format("change {} {} {} {} {}\n{}\n", e.from.to_string(), e.to.to_string(), journal_form_name(e.form),
                     e.text.size(), CibStore::sha256_hex(e.text), e.text);
}

// Applies one record's change to `cib`; the record's own checks (digest,
// versions) are the caller's.
Status replay(Cib& cib, JournalEntry::Form form, const std::string& text) {
  if (form == JournalEntry::Form::kPatch) return apply_patch_text(cib, text);
  ASSIGN_OR_RETURN(Message m, split_message(text));
  ASSIGN_OR_RETURN(Request r, request_from_message(m));
  return apply_request(cib, r, nullptr).status();
}

}  // namespace

const char* journal_form_name(JournalEntry::Form form) {
  return form == JournalEntry::Form::kPatch ? "patch" : "request";
}

std::optional<JournalEntry::Form> journal_form_from_name(std::string_view name) {
  if (name == "patch") return JournalEntry::Form::kPatch;
  if (name == "request") return JournalEntry::Form::kRequest;
  return std::nullopt;
}

Status apply_journal_entry(Cib& cib, const JournalEntry& entry) {
  if (cib.version() != entry.from) {
    return Status(StatusCode::kOutdated, fmt::format("a change from {} while the copy is at {}", entry.from.to_string(),
                                           cib.version().to_string()));
  }
  RETURN_IF_ERROR(replay(cib, entry.form, entry.text));
  if (cib.version() != entry.to) {
    return internal_error(fmt::format("a change that led to {}, not {}", cib.version().to_string(), entry.to.to_string()));
  }
  return Status::Ok();
}

namespace {

// Replays the records of `journal` onto `cib`, oldest first, and stops at the
// first one that is torn, corrupt or does not apply (the tail a crash in the
// middle of an append leaves). Returns the bytes that were good; `why` says
// what stopped it when that is not the end. `overshot`: the last record
// applied but reached another version, so `cib` holds one change too many.
size_t replay_journal(Cib& cib, const std::string& journal, std::string& why, bool& overshot) {
  size_t pos = 0;
  while (pos < journal.size()) {
    size_t eol = journal.find('\n', pos);
    if (eol == std::string::npos) {
      why = "a torn record header";
      return pos;
    }
    char from[64], to[64], form[16], sha[65];
    size_t bytes = 0;
    std::string header = journal.substr(pos, eol - pos);
    if (std::sscanf(header.c_str(), "change %63s %63s %15s %zu %64s", from, to, form, &bytes, sha) != 5) {
      why = "a malformed record header";
      return pos;
    }
    size_t body = eol + 1;
    if (bytes > journal.size() || body + bytes + 1 > journal.size() || journal[body + bytes] != '\n') {
      why = "a torn record";
      return pos;
    }
    std::string text = journal.substr(body, bytes);
    if (CibStore::sha256_hex(text) != sha) {
      why = "a record whose digest does not match";
      return pos;
    }
    auto from_v = Version::parse(from);
    auto to_v = Version::parse(to);
    if (!from_v.ok() || !to_v.ok()) {
      why = "a record with bad versions";
      return pos;
    }
    if (cib.version() != *from_v) {
      why = fmt::format("a record from {} while the copy is at {}", from_v->to_string(), cib.version().to_string());
      return pos;
    }
    auto record_form = journal_form_from_name(form);
    if (!record_form) {
      why = std::string("a record of unknown form ") + form;
      return pos;
    }
    // Both kinds of change are all-or-nothing: a record that fails leaves the copy as it was.
    Status applied = replay(cib, *record_form, text);
    if (!applied.ok()) {
      why = "a record that does not apply: " + applied.to_string();
      return pos;
    }
    if (cib.version() != *to_v) {
      // Applied, but not to what was written: the copy has gone one change
      // too far, and the caller replays the good part again.
      why = fmt::format("a record that led to {}, not {}", cib.version().to_string(), to_v->to_string());
      overshot = true;
      return pos;
    }
    pos = body + bytes + 1;
  }
  return pos;
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
    snapshot_bytes_ = data->size();
    journal_bytes_ = 0;
    // The changes made after this snapshot.
    std::string journal_path = path(s, ".journal");
    auto journal = fs_.read_file(journal_path);
    bool clean = true;
    if (journal.ok()) {
      std::string why;
      bool overshot = false;
      size_t good = replay_journal(*out.cib, *journal, why, overshot);
      if (overshot) {
        out.cib.emplace(std::move(Cib::parse(*data, xml_path)).value());
        std::string again;
        (void)replay_journal(*out.cib, journal->substr(0, good), again, overshot);
      }
      journal_bytes_ = good;
      if (good < journal->size()) {
        clean = false;
        out.warnings.push_back(fmt::format("{}: replayed up to byte {} of {}, then {}; the rest is ignored",
                                           journal_path, good, journal->size(), why));
      }
    } else if (journal.status().code() != StatusCode::kNotFound) {
      clean = false;
      out.warnings.push_back(fmt::format("{}: {}", journal_path, journal.status().to_string()));
    }
    // Only the newest generation's journal may be appended to, and only
    // when nothing follows its last good record.
    snapshot_due_ = !clean || s != seq_;
    break;
  }
  if (!out.cib && !seqs.empty())
    out.warnings.push_back(fmt::format("no good CIB copy in {}: starting empty", options_.dir));
  else if (out.cib && out.seq != seqs.front())
    out.warnings.push_back(fmt::format("fell back to {} (version {})", out.file, out.cib->version().to_string()));
  return out;
}

Status CibStore::save(const Cib& cib) { return save_text(cib.serialize(false)); }

Status CibStore::append(const std::vector<JournalEntry>& entries, const Cib& now) {
  std::string records;
  for (const auto& e : entries) records += journal_record(e);
  if (snapshot_due_ || seq_ == 0 || journal_bytes_ + records.size() > std::max(snapshot_bytes_, options_.min_journal_bytes))
    return save(now);
  std::string journal_path = path(seq_, ".journal");
  auto ctx = [&](const char* step) { return fmt::format("appending to {} ({})", journal_path, step); };
  const bool new_file = journal_bytes_ == 0;
  Status s = fs_.append_file(journal_path, records).with_context(ctx("write"));
  if (s.ok()) s = fs_.sync_file(journal_path).with_context(ctx("fsync"));
  if (s.ok() && new_file) s = fs_.sync_dir(options_.dir).with_context(ctx("fsync directory"));
  if (!s.ok()) {
    // Part of the records may be on disk: never append after them.
    snapshot_due_ = true;
    return s;
  }
  journal_bytes_ += records.size();
  return Status::Ok();
}

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
  snapshot_due_ = true;
  RETURN_IF_ERROR(fs_.sync_dir(options_.dir).with_context(ctx("fsync directory")));
  snapshot_bytes_ = xml_text.size();
  journal_bytes_ = 0;
  snapshot_due_ = false;
  // Prune generations beyond `keep`; failures here cost disk space only.
  if (next > static_cast<uint64_t>(options_.keep)) {
    auto names = fs_.list_dir(options_.dir);
    if (names.ok()) {
      for (const auto& name : *names) {
        auto s = seq_of(name, ".xml");
        if (!s) s = seq_of(name, ".sig");
        if (!s) s = seq_of(name, ".journal");
        if (s && *s + static_cast<uint64_t>(options_.keep) <= next) (void)fs_.remove(options_.dir + "/" + name);
      }
    }
  }
  return Status::Ok();
}

}  // namespace crm::cib
