// The texts of OCF return codes and execution statuses (ocf_rc.h, exec_status.h).
#include "crm/core/exec_status.h"
#include "crm/core/ocf_rc.h"

namespace crm {

const char* ocf_rc_text(int rc) {
  switch (rc) {
    case kOcfOk: return "ok";
    case kOcfErrGeneric: return "error";
    case kOcfErrArgs: return "invalid parameter";
    case kOcfErrUnimplemented: return "unimplemented feature";
    case kOcfErrPerm: return "insufficient privileges";
    case kOcfErrInstalled: return "not installed";
    case kOcfErrConfigured: return "not configured";
    case kOcfNotRunning: return "not running";
    case kOcfRunningPromoted: return "promoted";
    case kOcfFailedPromoted: return "promoted (failed)";
    case kOcfDegraded: return "OCF_DEGRADED";
    case kOcfDegradedPromoted: return "OCF_DEGRADED_PROMOTED";
    default: return "unknown";
  }
}

const char* exec_status_text(ExecStatus status) {
  switch (status) {
    case ExecStatus::kPending: return "pending";
    case ExecStatus::kDone: return "complete";
    case ExecStatus::kCancelled: return "Cancelled";
    case ExecStatus::kTimeout: return "Timed Out";
    case ExecStatus::kNotSupported: return "NOT SUPPORTED";
    case ExecStatus::kError: return "Error";
    case ExecStatus::kErrorHard: return "Hard error";
    case ExecStatus::kErrorFatal: return "Fatal error";
    case ExecStatus::kNotInstalled: return "Not installed";
    case ExecStatus::kNotConnected: return "Internal communication failure";
    case ExecStatus::kInvalid: return "Cannot execute now";
    case ExecStatus::kNoFenceDevice: return "No fence device";
    case ExecStatus::kNoSecrets: return "CIB secrets unavailable";
    case ExecStatus::kUnknown: break;
  }
  return "UNKNOWN!";
}

}  // namespace crm
