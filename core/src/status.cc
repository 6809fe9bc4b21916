#include "crm/core/status.h"

#include <cerrno>
#include <cstring>

namespace crm {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid-argument";
    case StatusCode::kParseError: return "parse-error";
    case StatusCode::kSchemaInvalid: return "schema-invalid";
    case StatusCode::kConfigInvalid: return "config-invalid";
    case StatusCode::kNotFound: return "not-found";
    case StatusCode::kAlreadyExists: return "already-exists";
    case StatusCode::kOutdated: return "outdated";
    case StatusCode::kPermissionDenied: return "permission-denied";
    case StatusCode::kTimeout: return "timeout";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kIoError: return "io-error";
    case StatusCode::kNotSupported: return "not-supported";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  return std::string(status_code_name(code_)) + ": " + message_;
}

// The one table from codes to exit statuses. Values follow the peer's
// crm_exit_t so existing scripts keep their meaning.
int Status::exit_code() const {
  switch (code_) {
    case StatusCode::kOk: return 0;            // CRM_EX_OK
    case StatusCode::kInvalidArgument: return 2;  // CRM_EX_INVALID_PARAM
    case StatusCode::kParseError: return 65;   // CRM_EX_DATAERR
    case StatusCode::kSchemaInvalid: return 78;  // CRM_EX_CONFIG
    case StatusCode::kConfigInvalid: return 78;  // CRM_EX_CONFIG
    case StatusCode::kNotFound: return 105;    // CRM_EX_NOSUCH
    case StatusCode::kAlreadyExists: return 108;  // CRM_EX_EXISTS
    case StatusCode::kOutdated: return 103;    // CRM_EX_OLD
    case StatusCode::kPermissionDenied: return 4;  // CRM_EX_INSUFFICIENT_PRIV
    case StatusCode::kTimeout: return 124;     // CRM_EX_TIMEOUT
    case StatusCode::kUnavailable: return 69;  // CRM_EX_UNAVAILABLE
    case StatusCode::kIoError: return 74;      // CRM_EX_IOERR
    case StatusCode::kNotSupported: return 3;  // CRM_EX_UNIMPLEMENT_FEATURE
    case StatusCode::kInternal: return 70;     // CRM_EX_SOFTWARE
  }
  return 1;
}

Status errno_error(const std::string& what, int err) {
  StatusCode code = StatusCode::kIoError;
  if (err == ENOENT) code = StatusCode::kNotFound;
  if (err == EACCES || err == EPERM) code = StatusCode::kPermissionDenied;
  if (err == ETIMEDOUT) code = StatusCode::kTimeout;
  return Status(code, what + ": " + std::strerror(err));
}

}  // namespace crm
