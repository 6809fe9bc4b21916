// Errors as values: a Status carries a code and a human-readable message with
// context; Result<T> is either a value or a non-OK Status.
//
//   crm::Result<Cib> cib = Cib::parse(text);
//   if (!cib.ok()) return cib.status().with_context("loading " + path);
//
// Add a code only when some caller branches on it. exit_code() maps codes to
// the CLI exit codes the peer's tools use (its crm_exit_t), so scripts that
// test exit statuses keep working.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace crm {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input from a caller or a user (usage, bad value)
  kParseError,         // malformed XML or text
  kSchemaInvalid,      // well-formed but rejected by the RelaxNG schema
  kConfigInvalid,      // schema-valid but meaningless (unknown id, cycle, ...)
  kNotFound,           // no such object (resource, node, file, id)
  kAlreadyExists,      // an object with that id exists
  kOutdated,           // a CIB update older than what we hold
  kPermissionDenied,   // peer credentials refused, file permission
  kTimeout,            // an operation or agent exceeded its time
  kUnavailable,        // daemon/cluster not reachable, no quorum, not DC
  kIoError,            // file or socket I/O failed
  kNotSupported,       // valid but not implemented by us (yet)
  kInternal,           // a bug: an invariant did not hold
};

// Returns a short stable name ("parse-error") for logs and tests.
const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with what the caller was doing: "loading cib.xml: line 3: ...".
  Status with_context(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

  // "parse-error: loading cib.xml: ..."; "ok" when OK.
  std::string to_string() const;

  // Exit status for command-line tools (0 when OK).
  int exit_code() const;

  bool operator==(const Status& other) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status parse_error(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
inline Status schema_invalid(std::string m) { return {StatusCode::kSchemaInvalid, std::move(m)}; }
inline Status config_invalid(std::string m) { return {StatusCode::kConfigInvalid, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status already_exists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status permission_denied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status timeout_error(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
inline Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status not_supported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
// An I/O error built from errno: "open /x: No such file or directory".
Status errno_error(const std::string& what, int err);

// A value of type T, or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace crm

#define CRM_CONCAT_INNER(a, b) a##b
#define CRM_CONCAT(a, b) CRM_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                     \
  do {                                            \
    ::crm::Status crm_status_ = (expr);           \
    if (!crm_status_.ok()) return crm_status_;    \
  } while (0)

// ASSIGN_OR_RETURN(auto doc, parse(text)); — unwraps a Result or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(CRM_CONCAT(crm_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
