#include "crm/cib/client.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>

#include "crm/cib/file_system.h"
#include "crm/core/ipc.h"

#ifndef CRM_DEFAULT_SCHEMA_DIR
#define CRM_DEFAULT_SCHEMA_DIR "/usr/share/crm/schemas"
#endif

namespace crm::cib {
namespace {

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// CIB_file mode: every call reads the file, and a change writes it back
// atomically (temporary file, fsync, rename, fsync of the directory).
// $CIB_user: the user a tool acts as (the peer's variable). cibd honours it
// for root and hacluster only; in file mode the file's ACLs apply to it.
std::string acl_user_from_env() {
  const char* user = std::getenv("CIB_user");
  return user ? user : "";
}

class FileClient final : public CibClient {
 public:
  explicit FileClient(ClientOptions options) : options_(std::move(options)) {}
  bool is_file() const override { return true; }

  Result<Reply> call(const Request& r) override {
    auto text = fs_.read_file(options_.file);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound)
        return not_found("the CIB file " + options_.file +
                         " does not exist (CIB_file: create one with cibadmin --empty > FILE; CIB_shadow: "
                         "crm_shadow --create NAME)");
      return text.status();
    }
    ASSIGN_OR_RETURN(Cib cib, Cib::parse(*text, options_.file));
    // As the peer: with $CIB_user naming a user the file's ACLs restrict,
    // that user's view and rights apply to the file too.
    Request as_user = r;
    as_user.user = acl_user_from_env();
    Reply reply;
    if (r.op == Op::kQuery) {
      ASSIGN_OR_RETURN(reply.xml, run_query_as_user(cib, as_user, ipc::group_names));
      reply.version = cib.version();
      return reply;
    }
    if (!schema_) {
      std::string dir = options_.schema_dir.empty() ? default_schema_dir() : options_.schema_dir;
      auto schema = Schema::load(dir);
      if (!schema.ok()) return schema.status().with_context("loading the CIB schemas from " + dir);
      schema_.emplace(std::move(schema).value());
    }
    AclGuard acl(cib, as_user.user, ipc::group_names);
    RETURN_IF_ERROR(apply_request(cib, r, &*schema_).status());
    RETURN_IF_ERROR(acl.check(cib));
    std::string tmp = options_.file + ".tmp";
    RETURN_IF_ERROR(fs_.write_file(tmp, cib.serialize(true)));
    RETURN_IF_ERROR(fs_.sync_file(tmp));
    RETURN_IF_ERROR(fs_.rename(tmp, options_.file));
    RETURN_IF_ERROR(fs_.sync_dir(dir_of(options_.file)));
    reply.version = cib.version();
    return reply;
  }

 private:
  ClientOptions options_;
  PosixFileSystem fs_;
  std::optional<Schema> schema_;
};

class DaemonClient final : public CibClient {
 public:
  DaemonClient(ipc::Client conn, ClientOptions options) : conn_(std::move(conn)), options_(std::move(options)) {}
  bool is_file() const override { return false; }
  int fd() const override { return conn_.fd(); }

  Result<Reply> call(const Request& r) override {
    Attrs attrs{{"call-id", std::to_string(++call_id_)}};
    request_to_attrs(named(r), attrs);
    ASSIGN_OR_RETURN(Message m, roundtrip(encode("cib_request", attrs, r.fragment)));
    return reply_of(m);
  }

  std::vector<Result<Reply>> call_pipelined(const std::vector<Request>& requests, size_t window) override {
    std::vector<Result<Reply>> replies(requests.size(), Result<Reply>(internal_error("no reply")));
    std::map<std::string, size_t> in_flight;  // call-id -> index into requests
    size_t next = 0, answered = 0;
    if (window == 0) window = 1;
    auto fail_rest = [&](const Status& s) {
      for (auto& [id, index] : in_flight) replies[index] = s;
      for (; next < requests.size(); ++next) replies[next] = s;
      return replies;
    };
    while (answered < requests.size()) {
      while (next < requests.size() && in_flight.size() < window) {
        Attrs attrs{{"call-id", std::to_string(++call_id_)}};
        request_to_attrs(named(requests[next]), attrs);
        Status sent = conn_.send(encode("cib_request", attrs, requests[next].fragment));
        if (!sent.ok()) return fail_rest(sent.with_context("sending to the CIB daemon"));
        in_flight.emplace(std::to_string(call_id_), next++);
      }
      auto raw = conn_.receive(options_.timeout);
      if (!raw.ok()) return fail_rest(raw.status().with_context("waiting for the CIB daemon"));
      auto m = split_message(*raw);
      if (!m.ok()) return fail_rest(m.status());
      if (xml::name(m->root()) == "cib_notify") {
        stash(*raw);
        continue;
      }
      // Replies can overtake each other (a rejected request is answered at
      // once, an applied one once it is durable): matched by call-id.
      auto it = in_flight.find(m->get("call-id"));
      if (it == in_flight.end()) continue;  // a late reply to an abandoned call
      replies[it->second] = reply_of(*m);
      in_flight.erase(it);
      ++answered;
    }
    return replies;
  }

  Status subscribe(Subscription what) override {
    Attrs attrs{{"call-id", std::to_string(++call_id_)}, {"op", "subscribe"}};
    if (what == Subscription::kWithChanges) attrs.emplace_back("changes", "yes");
    if (std::string user = acl_user_from_env(); !user.empty()) attrs.emplace_back("user", user);
    ASSIGN_OR_RETURN(Message m, roundtrip(encode("cib_request", attrs)));
    std::string rc = m.get("rc");
    if (rc != "ok") return Status(status_code_from_name(rc), m.get("msg"));
    return Status::Ok();
  }

  Result<std::vector<Notification>> read_notifications() override {
    auto msgs = conn_.read_available();
    if (msgs.ok()) {
      for (auto& raw : *msgs) stash(raw);
    }
    std::vector<Notification> out = std::move(notifications_);
    notifications_.clear();
    if (!msgs.ok() && out.empty()) return msgs.status();
    return out;
  }

 private:
  // The request as sent: the peer's update-client is the program's name
  // (cibadmin, crmd, crm_resource, ...); the daemon takes the user from the
  // socket's credentials and the origin from its own node name. $CIB_user
  // names the user to act as (the peer's delegation, which the daemon honours
  // for root and hacluster only: that user's ACLs apply).
  static Request named(const Request& r) {
    Request out = r;
    if (out.client_name.empty() && program_invocation_short_name) out.client_name = program_invocation_short_name;
    out.user = acl_user_from_env();
    out.origin.clear();
    return out;
  }


  static Result<Reply> reply_of(const Message& m) {
    Reply reply;
    auto v = Version::parse(m.get("version"));
    if (v.ok()) reply.version = *v;
    std::string rc = m.get("rc");
    if (rc != "ok") return Status(status_code_from_name(rc), m.get("msg"));
    reply.xml = std::string(m.body);
    return reply;
  }

  // Keeps a notification that arrived while waiting for a reply.
  void stash(const std::string& raw) {
    auto m = split_message(raw);
    if (!m.ok() || xml::name(m->root()) != "cib_notify") return;
    Notification n;
    n.kind = m->get("kind") == "status" ? ChangeKind::kStatus : ChangeKind::kConfiguration;
    auto v = Version::parse(m->get("version"));
    if (v.ok()) n.version = *v;
    n.replaced_by = static_cast<uint32_t>(std::strtoul(m->get("replaced_by").c_str(), nullptr, 10));
    std::istringstream synced(m->get("synced"));
    for (uint32_t id; synced >> id;) n.synced.push_back(id);
    // A change in a form this client does not know is left out: the
    // subscriber reads the CIB instead.
    if (auto form = journal_form_from_name(m->get("form"))) {
      auto from = Version::parse(m->get("from"));
      if (from.ok() && v.ok()) n.change = JournalEntry{.form = *form, .text = std::string(m->body), .from = *from, .to = *v};
    }
    notifications_.push_back(std::move(n));
  }

  Result<Message> roundtrip(const std::string& request) {
    const std::string want = std::to_string(call_id_);
    RETURN_IF_ERROR(conn_.send(request).with_context("sending to the CIB daemon"));
    for (;;) {
      auto raw = conn_.receive(options_.timeout);
      if (!raw.ok()) return raw.status().with_context("waiting for the CIB daemon");
      buffer_ = std::move(raw).value();
      ASSIGN_OR_RETURN(Message m, split_message(buffer_));
      if (xml::name(m.root()) == "cib_notify") {
        stash(buffer_);
        continue;
      }
      if (m.get("call-id") != want) continue;  // a late reply to an abandoned call
      return m;
    }
  }

  ipc::Client conn_;
  ClientOptions options_;
  uint64_t call_id_ = 0;
  std::string buffer_;  // backs the last Message's body
  std::vector<Notification> notifications_;
};

}  // namespace

std::string CibSource::describe() const {
  switch (kind) {
    case Kind::kFile: return "CIB_file " + path;
    case Kind::kShadow: return "shadow CIB '" + shadow + "' (" + path + ")";
    case Kind::kLive: break;
  }
  return "the live CIB";
}

CibSource source_from_env(bool honour_shadow) {
  CibSource src;
  if (const char* s = std::getenv("CIB_shadow"); honour_shadow && s && *s) {
    src.kind = CibSource::Kind::kShadow;
    src.shadow = s;
    src.path = shadow_path(s);
  } else if (const char* f = std::getenv("CIB_file"); f && *f) {
    src.kind = CibSource::Kind::kFile;
    src.path = f;
  }
  return src;
}

std::string shadow_dir() {
  if (const char* d = std::getenv("CIB_shadow_dir"); d && *d) return d;
  const struct passwd* pw = ::getpwuid(::geteuid());
  std::string user = pw ? pw->pw_name : (std::getenv("USER") ? std::getenv("USER") : "");
  if (user == "root" || user == "hacluster") return "/var/lib/pacemaker/cib";
  const char* home = std::getenv("HOME");
  std::string h = home && *home ? home : (pw && pw->pw_dir ? pw->pw_dir : "");
  if (!h.empty() && h[0] == '/') {
    std::string dir = h + "/.cib";
    if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) return dir;
  }
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp == '/' ? tmp : "/tmp";
}

std::string shadow_path(const std::string& name) { return shadow_dir() + "/shadow." + name; }

ClientOptions ClientOptions::from_env() {
  ClientOptions o;
  o.file = source_from_env().path;
  return o;
}

std::string default_schema_dir() {
  if (const char* env = std::getenv("CRM_SCHEMA_DIR"); env && *env) return env;
  if (is_dir("/usr/share/crm/schemas")) return "/usr/share/crm/schemas";
  return CRM_DEFAULT_SCHEMA_DIR;
}

Result<std::unique_ptr<CibClient>> connect(const ClientOptions& options) {
  if (!options.file.empty()) return std::unique_ptr<CibClient>(new FileClient(options));
  std::string path = options.socket.empty() ? ipc::socket_path("cib") : options.socket;
  auto conn = ipc::Client::connect(path);
  if (!conn.ok())
    return conn.status().with_context("connecting to the CIB daemon (set CIB_file=FILE or CIB_shadow=NAME to work on a file instead)");
  return std::unique_ptr<CibClient>(new DaemonClient(std::move(conn).value(), options));
}

// ---- conveniences ----

std::vector<Result<CibClient::Reply>> CibClient::call_pipelined(const std::vector<Request>& requests, size_t) {
  std::vector<Result<Reply>> replies;
  replies.reserve(requests.size());
  for (const auto& r : requests) replies.push_back(call(r));
  return replies;
}

Result<std::string> CibClient::query(const std::string& section, const std::string& xpath) {
  ASSIGN_OR_RETURN(Reply r, call({.op = Op::kQuery, .section = section, .xpath = xpath}));
  return r.xml;
}

Result<Cib> CibClient::query_cib() {
  ASSIGN_OR_RETURN(std::string text, query());
  return Cib::parse(text, "CIB from the daemon");
}

Status CibClient::create(const std::string& section, const std::string& fragment) {
  return call({.op = Op::kCreate, .section = section, .fragment = fragment}).status();
}
Status CibClient::modify(const std::string& section, const std::string& fragment, bool allow_create) {
  return call({.op = Op::kModify, .section = section, .fragment = fragment, .allow_create = allow_create}).status();
}
Status CibClient::replace(const std::string& section, const std::string& fragment) {
  return call({.op = Op::kReplace, .section = section, .fragment = fragment}).status();
}
Status CibClient::remove(const std::string& section, const std::string& fragment) {
  return call({.op = Op::kDelete, .section = section, .fragment = fragment}).status();
}
Status CibClient::remove_xpath(const std::string& xpath, bool all) {
  return call({.op = Op::kDelete, .xpath = xpath, .delete_all = all}).status();
}
Status CibClient::replace_cib(const std::string& cib_xml) {
  return call({.op = Op::kReplace, .fragment = cib_xml}).status();
}
Status CibClient::erase() { return call({.op = Op::kErase}).status(); }
Status CibClient::bump() { return call({.op = Op::kBump}).status(); }
Status CibClient::modify_status(const std::string& fragment) { return modify("status", fragment, true); }

}  // namespace crm::cib
