// OCF return codes (OCF resource agent API 1.1), the "rc-code" of the CIB's
// operation history. LSB, systemd and stonith results are mapped onto these
// by the executor, so every component speaks one vocabulary.
//
//   if (rc == kOcfNotRunning) ...
//   std::cout << ocf_rc_text(rc);   // "not running"
#pragma once

namespace crm {

enum OcfRc : int {
  kOcfOk = 0,
  kOcfErrGeneric = 1,  // the peer's PCMK_OCF_UNKNOWN_ERROR
  kOcfErrArgs = 2,
  kOcfErrUnimplemented = 3,
  kOcfErrPerm = 4,
  kOcfErrInstalled = 5,
  kOcfErrConfigured = 6,
  kOcfNotRunning = 7,
  kOcfRunningPromoted = 8,  // "running master" in older texts
  kOcfFailedPromoted = 9,
  kOcfDegraded = 190,
  kOcfDegradedPromoted = 191,
};

// The peer's words (services_ocf_exitcode_str): "ok", "error", "invalid
// parameter", ..., "promoted (failed)", "OCF_DEGRADED",
// "OCF_DEGRADED_PROMOTED"; "unknown" for any other number.
const char* ocf_rc_text(int rc);

}  // namespace crm
